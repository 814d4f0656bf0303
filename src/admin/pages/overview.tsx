/**
 * @module admin/pages/overview
 * Overview: totals, traffic over the last hour (allowed against denied, as an SVG drawn on the
 * server), top destinations and top denials. Reads the store's aggregates only.
 */
import type { DestinationStats, TrafficPoint } from '../../audit/store-queries.js';
import { bytes, count, destination, when } from './format.js';

export interface OverviewData {
  totals: { allowed: number; denied: number; wouldDeny: number };
  pending: number;
  traffic: TrafficPoint[];
  top: DestinationStats[];
  denials: DestinationStats[];
  connections: { connections: number; tunnels: number };
  audit: { written: number; dropped: number; queued: number };
}

const W = 720;
const H = 140;

function Chart(p: { points: TrafficPoint[] }) {
  const max = Math.max(1, ...p.points.map((x) => x.allowed + x.denied));
  const bw = W / Math.max(1, p.points.length);
  const sum = p.points.reduce((s, x) => ({ a: s.a + x.allowed, d: s.d + x.denied }), { a: 0, d: 0 });
  const label = `Requests per minute over the last hour: ${sum.a} allowed, ${sum.d} denied; busiest minute ${max}.`;
  return (
    <figure>
      <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label}>
        {p.points.map((x, i) => {
          const ha = (x.allowed / max) * (H - 4);
          const hd = (x.denied / max) * (H - 4);
          return (
            <g>
              <title>{`${when(x.at).slice(11, 16)} UTC: ${x.allowed} allowed, ${x.denied} denied`}</title>
              <rect class="a" x={i * bw + 1} y={H - ha} width={Math.max(bw - 2, 1)} height={ha} />
              <rect class="d" x={i * bw + 1} y={H - ha - hd} width={Math.max(bw - 2, 1)} height={hd} />
            </g>
          );
        })}
      </svg>
      <figcaption class="legend">
        <span>
          <span class="allow">■</span> allowed ({count(sum.a)})
        </span>
        <span>
          <span class="deny">■</span> denied ({count(sum.d)})
        </span>
        <span class="muted">last 60 minutes, per minute (UTC)</span>
      </figcaption>
    </figure>
  );
}

function DestTable(p: { rows: DestinationStats[]; caption: string; empty: string }) {
  if (p.rows.length === 0) return <p class="muted">{p.empty}</p>;
  return (
    <table>
      <caption class="visually-hidden">{p.caption}</caption>
      <thead>
        <tr>
          <th scope="col">Destination</th>
          <th scope="col" class="num">
            Allowed
          </th>
          <th scope="col" class="num">
            Denied
          </th>
          <th scope="col" class="num">
            Down
          </th>
          <th scope="col">Last seen</th>
        </tr>
      </thead>
      <tbody>
        {p.rows.map((d) => (
          <tr>
            <td class="mono">{destination(d)}</td>
            <td class="num">{count(d.allowed)}</td>
            <td class="num">{count(d.denied)}</td>
            <td class="num">{bytes(d.bytesDown)}</td>
            <td>{when(d.lastSeen)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function OverviewPage(p: { data: OverviewData }) {
  const d = p.data;
  return (
    <>
      <h1>Overview</h1>
      <div class="stats">
        <div class="stat">
          <span class="muted">Allowed</span>
          <b class="allow">{count(d.totals.allowed)}</b>
        </div>
        <div class="stat">
          <span class="muted">Denied</span>
          <b class="deny">{count(d.totals.denied)}</b>
        </div>
        <div class="stat">
          <span class="muted">Would deny (report/learn)</span>
          <b class="would">{count(d.totals.wouldDeny)}</b>
        </div>
        <div class="stat">
          <span class="muted">Waiting for review</span>
          <b>
            <a href="/review">{count(d.pending)}</a>
          </b>
        </div>
        <div class="stat">
          <span class="muted">Open connections / tunnels</span>
          <b>
            {d.connections.connections} / {d.connections.tunnels}
          </b>
        </div>
      </div>
      <h2>Traffic</h2>
      <div class="card">
        <Chart points={d.traffic} />
      </div>
      <div class="grid">
        <section class="card" aria-labelledby="top-h">
          <h2 id="top-h">Top destinations</h2>
          <DestTable rows={d.top} caption="Top destinations by requests" empty="No traffic yet." />
        </section>
        <section class="card" aria-labelledby="deny-h">
          <h2 id="deny-h">Top denials</h2>
          <DestTable rows={d.denials} caption="Destinations denied most often" empty="Nothing denied yet." />
        </section>
      </div>
      <p class="muted">
        Audit store: {count(d.audit.written)} decisions written, {count(d.audit.queued)} queued,{' '}
        {count(d.audit.dropped)} dropped. Totals count since the store began.
      </p>
    </>
  );
}
