/**
 * @module admin/pages/clients
 * Clients: which notebooks send what — each client address with its group, counts and bytes, and
 * for one chosen client its destinations.
 */
import { CLIENT_WINDOW, type ClientStats } from '../../audit/store-queries.js';
import { bytes, count, when } from './format.js';

export interface ClientDest {
  scheme: string;
  host: string;
  port: number;
  count: number;
  denied: number;
  lastSeen: string;
}

export function ClientsPage(p: {
  clients: ClientStats[];
  selected: string | null;
  destinations: ClientDest[];
}) {
  return (
    <>
      <h1>Clients</h1>
      {p.selected !== null && (
        <section class="card" aria-labelledby="dest-h">
          <h2 id="dest-h">
            Destinations of <span class="mono">{p.selected}</span>
          </h2>
          <p class="muted">Over its latest {CLIENT_WINDOW.toLocaleString('en-US')} requests.</p>
          {p.destinations.length === 0 ? (
            <p class="muted">No requests from this client.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Destination</th>
                  <th scope="col" class="num">
                    Requests
                  </th>
                  <th scope="col" class="num">
                    Denied
                  </th>
                  <th scope="col">Last seen (UTC)</th>
                </tr>
              </thead>
              <tbody>
                {p.destinations.map((d) => (
                  <tr>
                    <td class="mono">{`${d.scheme}://${d.host}:${d.port}`}</td>
                    <td class="num">{count(d.count)}</td>
                    <td class={d.denied > 0 ? 'num deny' : 'num'}>{count(d.denied)}</td>
                    <td>{when(d.lastSeen)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
      <div class="card">
        {p.clients.length === 0 ? (
          <p class="muted">No clients seen yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Client</th>
                <th scope="col">Group</th>
                <th scope="col" class="num">
                  Allowed
                </th>
                <th scope="col" class="num">
                  Denied
                </th>
                <th scope="col" class="num">
                  Would deny
                </th>
                <th scope="col" class="num">
                  Up
                </th>
                <th scope="col" class="num">
                  Down
                </th>
                <th scope="col">Last seen (UTC)</th>
              </tr>
            </thead>
            <tbody>
              {p.clients.map((c) => (
                <tr>
                  <td>
                    <a href={`/clients?client=${encodeURIComponent(c.client)}`} class="mono">
                      {c.client}
                    </a>
                  </td>
                  <td>{c.group}</td>
                  <td class="num">{count(c.allowed)}</td>
                  <td class="num">{count(c.denied)}</td>
                  <td class="num">{count(c.wouldDeny)}</td>
                  <td class="num">{bytes(c.bytesUp)}</td>
                  <td class="num">{bytes(c.bytesDown)}</td>
                  <td>{when(c.lastSeen)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </>
  );
}
