/**
 * @module admin/pages/live
 * Live tail: decisions as they happen (server-sent events from /events, via the page script), with
 * filters by client, host and decision. The newest stored decisions are rendered on the server, so
 * the page says something before the first event and without JavaScript.
 */
import type { StoredDecision } from '../../audit/store-queries.js';
import { when } from './format.js';

export interface LiveFilterForm {
  client: string;
  host: string;
  decision: string;
}

function Row(p: { d: StoredDecision }) {
  const d = p.d;
  const cls = d.decision === 'deny' ? 'deny' : d.wouldDeny ? 'would' : 'allow';
  return (
    <tr>
      <td>{when(d.time).slice(11)}</td>
      <td>{d.client}</td>
      <td>{d.group}</td>
      <td>{d.method}</td>
      <td class="mono">{`${d.scheme}://${d.host}:${d.port}${d.path ?? ''}`}</td>
      <td class={cls}>{d.decision === 'deny' ? 'deny' : d.wouldDeny ? 'would deny' : 'allow'}</td>
      <td>{d.reason}</td>
      <td class="num">{d.status}</td>
      <td class="num">{Math.round(d.durationMs)}</td>
    </tr>
  );
}

export function LivePage(p: { filter: LiveFilterForm; recent: StoredDecision[] }) {
  const f = p.filter;
  return (
    <>
      <h1>Live tail</h1>
      <form method="get" action="/live" class="card row-actions" aria-label="Filter the live tail">
        <div>
          <label for="f-client">Client</label>
          <input id="f-client" name="client" type="search" value={f.client} placeholder="10.0.0.5" />
        </div>
        <div>
          <label for="f-host">Host (and subdomains)</label>
          <input id="f-host" name="host" type="search" value={f.host} placeholder="pypi.org" />
        </div>
        <div>
          <label for="f-decision">Decision</label>
          <select id="f-decision" name="decision">
            <option value="" selected={f.decision === ''}>
              any
            </option>
            <option value="allow" selected={f.decision === 'allow'}>
              allow
            </option>
            <option value="deny" selected={f.decision === 'deny'}>
              deny
            </option>
          </select>
        </div>
        <button type="submit">Apply filters</button>
        <button type="button" class="secondary" id="live-pause" aria-pressed="false">
          Pause
        </button>
      </form>
      <p id="live-status" class="muted" role="status" aria-live="polite">
        Connecting… (needs JavaScript; the table below shows the latest stored decisions.)
      </p>
      <div class="card">
        <table>
          <thead>
            <tr>
              <th scope="col">Time (UTC)</th>
              <th scope="col">Client</th>
              <th scope="col">Group</th>
              <th scope="col">Method</th>
              <th scope="col">Destination</th>
              <th scope="col">Decision</th>
              <th scope="col">Reason</th>
              <th scope="col" class="num">
                Status
              </th>
              <th scope="col" class="num">
                ms
              </th>
            </tr>
          </thead>
          <tbody id="live-rows">
            {p.recent.map((d) => (
              <Row d={d} />
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
