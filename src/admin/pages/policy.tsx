/**
 * @module admin/pages/policy
 * Policy: each group's clients, mode (as written and in force), ports and allowlists with where
 * each entry comes from; lint warnings; "propose an allowlist" from what report or learn mode saw,
 * applied as one change; and the change history with diffs and a revert button per change.
 */
import type { PolicyChangeSummary } from '../../audit/policy-log.js';
import type { ProposedEntry } from '../../audit/propose.js';
import type { GroupView, PolicyView, SchemeView } from '../policy-view.js';
import { count, when } from './format.js';

export interface PolicyPageProps {
  view: PolicyView;
  history: PolicyChangeSummary[];
  proposal: { group: string; items: ProposedEntry[] } | null;
  csrf: string;
}

function Diff(p: { text: string }) {
  return (
    <pre class="diff">
      {p.text.split('\n').map((l) => {
        const cls = l.startsWith('@@') ? 'hunk' : l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : '';
        return <span class={cls}>{`${l}\n`}</span>;
      })}
    </pre>
  );
}

function Scheme(p: { name: string; s: SchemeView }) {
  return (
    <div>
      <h4>
        {p.name} <span class="muted">ports {p.s.ports.join(', ')}</span>
      </h4>
      {p.s.allow.length === 0 ? (
        <p class="muted">nothing allowlisted</p>
      ) : (
        <ul>
          {p.s.allow.map((e) => (
            <li>
              <code>{e.value}</code> <span class="muted">{e.source}</span>
            </li>
          ))}
        </ul>
      )}
      <p class="muted">Approvals are written to {p.s.writesTo}.</p>
    </div>
  );
}

function Group(p: { g: GroupView }) {
  const g = p.g;
  const mode = g.mode === g.effectiveMode ? g.mode : `${g.mode} (now ${g.effectiveMode})`;
  return (
    <section class="card" aria-labelledby={`g-${g.name}`}>
      <h3 id={`g-${g.name}`}>
        Group {g.name}{' '}
        <span class={g.effectiveMode === 'enforce' ? 'muted' : 'would'}>
          mode {mode}
          {g.learnUntil !== null && ` until ${g.learnUntil}`}
        </span>
      </h3>
      <p>
        Clients: <span class="mono">{g.clients.join(', ')}</span>
      </p>
      <div class="grid">
        <Scheme name="http" s={g.http} />
        <Scheme name="https" s={g.https} />
      </div>
    </section>
  );
}

function Propose(p: PolicyPageProps) {
  const groups = p.view.groups.map((g) => g.name);
  const prop = p.proposal;
  return (
    <section class="card" aria-labelledby="propose-h">
      <h2 id="propose-h">Propose an allowlist</h2>
      <p class="muted">
        From what report or learn mode observed for a group: the smallest public-suffix-safe list.
      </p>
      <form method="get" action="/policy" class="row-actions">
        <div>
          <label for="propose-group">Group</label>
          <select id="propose-group" name="propose">
            {groups.map((g) => (
              <option value={g} selected={prop?.group === g}>
                {g}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" class="secondary">
          Propose
        </button>
      </form>
      {prop !== null && prop.items.length === 0 && <p>Nothing observed for group {prop.group} yet.</p>}
      {prop !== null && prop.items.length > 0 && (
        <form method="post" action="/policy/apply">
          <input type="hidden" name="_csrf" value={p.csrf} />
          <input type="hidden" name="policyHash" value={p.view.hash} />
          <input type="hidden" name="group" value={prop.group} />
          <table>
            <thead>
              <tr>
                <th scope="col">Apply</th>
                <th scope="col">Entry</th>
                <th scope="col">Covers</th>
                <th scope="col" class="num">
                  Requests
                </th>
                <th scope="col">Warning</th>
              </tr>
            </thead>
            <tbody>
              {prop.items.map((e, i) => (
                <tr>
                  <td>
                    <input
                      type="checkbox"
                      id={`prop-${i}`}
                      name="entry"
                      value={`${e.scheme} ${e.entry}`}
                      checked={e.risk === null}
                      aria-label={`Apply ${e.scheme} ${e.entry}`}
                    />
                  </td>
                  <td class="mono">
                    {e.scheme} {e.entry}
                  </td>
                  <td class="mono">{e.hosts.join(', ')}</td>
                  <td class="num">{count(e.count)}</td>
                  <td class="risk">{e.risk ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div class="row-actions">
            <div>
              <label for="apply-reason">Reason</label>
              <input id="apply-reason" name="reason" type="text" required maxlength={500} />
            </div>
            <button type="submit">Apply ticked entries as one change</button>
          </div>
        </form>
      )}
    </section>
  );
}

function History(p: PolicyPageProps) {
  if (p.history.length === 0) return <p class="card">No changes recorded yet.</p>;
  return (
    <ol class="card" reversed>
      {p.history.map((c) => (
        <li id={`change-${c.id}`}>
          <strong>#{c.id}</strong> {when(c.at)} UTC by <strong>{c.actor}</strong>: {c.reason}
          {c.revertOf !== null && <span class="muted"> (reverts #{c.revertOf})</span>}
          {c.revertedBy !== null && <span class="muted"> (reverted by #{c.revertedBy})</span>}
          <Diff text={c.diff} />
          {c.revertedBy === null && p.view.editable && (
            <form method="post" action={`/policy/revert/${c.id}`} class="row-actions">
              <input type="hidden" name="_csrf" value={p.csrf} />
              <input type="hidden" name="policyHash" value={p.view.hash} />
              <div>
                <label for={`revert-${c.id}`}>Reason to revert #{c.id}</label>
                <input id={`revert-${c.id}`} name="reason" type="text" required maxlength={500} />
              </div>
              <button type="submit" class="danger">
                Revert #{c.id}
              </button>
            </form>
          )}
        </li>
      ))}
    </ol>
  );
}

export function PolicyPage(p: PolicyPageProps) {
  const v = p.view;
  return (
    <>
      <h1>Policy</h1>
      <p>
        Version {v.version} from <code>{v.path ?? 'the built-in default'}</code>
        {v.source !== 'file:' && ` (remote source ${v.source})`}.{' '}
        {!v.editable && (
          <strong>
            Read-only here: {v.path === null ? 'start with --config to edit' : 'edit it at its source'}.
          </strong>
        )}
      </p>
      {v.warnings.length > 0 && (
        <section class="card" aria-labelledby="warn-h">
          <h2 id="warn-h">Warnings</h2>
          <ul>
            {v.warnings.map((w) => (
              <li>
                <code>{w.entry}</code> ({w.source}): {w.message}. <span class="muted">{w.fix}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <h2>Groups</h2>
      {v.groups.map((g) => (
        <Group g={g} />
      ))}
      {v.editable && <Propose {...p} />}
      <h2>Change history</h2>
      <History {...p} />
    </>
  );
}
