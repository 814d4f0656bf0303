/**
 * @module admin/pages/review
 * Review queue: denied destinations with counts, first and last seen and who asked; per item, one
 * form to approve (scope: this host, or the public-suffix-safe domain; group; reason) or reject;
 * bulk actions for the ticked items. Every form carries the CSRF token and the policy hash the page
 * was rendered with, so an edit made meanwhile is a conflict, not an overwrite.
 */
import type { ReviewItem, ReviewStatus } from '../../audit/review.js';
import type { ScopeSuggestion } from '../../audit/review-scope.js';
import { count, destination, when } from './format.js';

export type ReviewRow = ReviewItem & { suggestions: ScopeSuggestion[] };

export interface ReviewPageProps {
  status: ReviewStatus;
  items: ReviewRow[];
  groups: string[];
  csrf: string;
  hash: string;
}

function Hidden(p: { csrf: string; hash: string }) {
  return (
    <>
      <input type="hidden" name="_csrf" value={p.csrf} />
      <input type="hidden" name="policyHash" value={p.hash} />
    </>
  );
}

function GroupSelect(p: {
  id: string;
  groups: string[];
  selected: string;
  form?: string;
  anyLabel?: string;
}) {
  return (
    <select id={p.id} name="group" form={p.form}>
      {p.anyLabel !== undefined && <option value="">{p.anyLabel}</option>}
      {p.groups.map((g) => (
        <option value={g} selected={g === p.selected}>
          {g}
        </option>
      ))}
    </select>
  );
}

function Actions(p: { item: ReviewRow; groups: string[]; csrf: string; hash: string }) {
  const { item } = p;
  const fid = `f-${item.id}`;
  return (
    <form
      method="post"
      action={`/review/${item.id}/approve`}
      class="row-actions"
      aria-label={`Decide ${item.host}`}
    >
      <Hidden csrf={p.csrf} hash={p.hash} />
      <div>
        <label for={`${fid}-scope`}>Allow</label>
        <select id={`${fid}-scope`} name="scope">
          {item.suggestions.map((s) => (
            <option value={s.scope}>
              {s.scope === 'host' ? `this host only: ${s.entry}` : `domain and subdomains: ${s.entry}`}
              {s.risk ? ' ⚠' : ''}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for={`${fid}-group`}>for group</label>
        <GroupSelect id={`${fid}-group`} groups={p.groups} selected={item.groups[0] ?? 'default'} />
      </div>
      <div>
        <label for={`${fid}-reason`}>Reason</label>
        <input id={`${fid}-reason`} name="reason" type="text" required maxlength={500} placeholder="why" />
      </div>
      <button type="submit">Approve</button>
      <button type="submit" class="danger" formaction={`/review/${item.id}/reject`}>
        Reject
      </button>
      {item.suggestions
        .filter((s) => s.risk)
        .map((s) => (
          <p class="risk">
            ⚠ {s.entry}: {s.risk}
          </p>
        ))}
    </form>
  );
}

function Decided(p: { item: ReviewRow }) {
  const i = p.item;
  return (
    <span>
      {i.status} by {i.decidedBy ?? '-'} at {when(i.decidedAt)}: {i.decidedReason ?? ''}
      {i.changeId !== null && (
        <>
          {' '}
          (<a href={`/policy#change-${i.changeId}`}>change #{i.changeId}</a>)
        </>
      )}
    </span>
  );
}

function Bulk(p: ReviewPageProps) {
  return (
    <form
      id="bulk"
      method="post"
      action="/review/bulk"
      class="card row-actions"
      aria-label="Bulk actions on ticked items"
    >
      <Hidden csrf={p.csrf} hash={p.hash} />
      <strong>Ticked items:</strong>
      <div>
        <label for="bulk-scope">Allow</label>
        <select id="bulk-scope" name="scope">
          <option value="host">each host only</option>
          <option value="domain">each domain and subdomains</option>
        </select>
      </div>
      <div>
        <label for="bulk-group">for group</label>
        <GroupSelect id="bulk-group" groups={p.groups} selected="" anyLabel="the group that asked" />
      </div>
      <div>
        <label for="bulk-reason">Reason</label>
        <input id="bulk-reason" name="reason" type="text" required maxlength={500} />
      </div>
      <button type="submit" name="action" value="approve">
        Approve ticked
      </button>
      <button type="submit" name="action" value="reject" class="danger">
        Reject ticked
      </button>
    </form>
  );
}

export function ReviewPage(p: ReviewPageProps) {
  const pending = p.status === 'pending';
  return (
    <>
      <h1>Review queue</h1>
      <nav class="tabs" aria-label="Review status">
        {(['pending', 'approved', 'rejected'] as const).map((s) => (
          <a href={`/review?status=${s}`} aria-current={s === p.status ? 'page' : undefined}>
            {s}
          </a>
        ))}
      </nav>
      {pending && p.items.length > 0 && <Bulk {...p} />}
      {p.items.length === 0 ? (
        <p class="card">
          {pending ? 'Nothing waiting: no new denied destinations.' : `No ${p.status} items.`}
        </p>
      ) : (
        <div class="card">
          <table>
            <thead>
              <tr>
                {pending && (
                  <th scope="col">
                    <input type="checkbox" aria-label="Tick all" data-select-all="input[name=ids]" />
                  </th>
                )}
                <th scope="col">Destination</th>
                <th scope="col" class="num">
                  Requests
                </th>
                <th scope="col">First / last seen (UTC)</th>
                <th scope="col">Clients</th>
                <th scope="col">{pending ? 'Decide' : 'Decision'}</th>
              </tr>
            </thead>
            <tbody>
              {p.items.map((item) => (
                <tr id={`item-${item.id}`}>
                  {pending && (
                    <td>
                      <input
                        type="checkbox"
                        name="ids"
                        value={String(item.id)}
                        form="bulk"
                        aria-label={`Tick ${item.host}`}
                      />
                    </td>
                  )}
                  <td>
                    <span class="mono">{destination(item)}</span>
                    <br />
                    <span class="muted">{item.reason}</span>
                  </td>
                  <td class="num">{count(item.count)}</td>
                  <td>
                    {when(item.firstSeen)}
                    <br />
                    {when(item.lastSeen)}
                  </td>
                  <td>
                    {item.requesters.slice(0, 5).map((r) => (
                      <div>
                        <a href={`/clients?client=${encodeURIComponent(r.client)}`}>{r.client}</a>{' '}
                        <span class="muted">
                          ({r.group}) ×{r.count}
                        </span>
                      </div>
                    ))}
                    {item.clientCount > 5 && <div class="muted">and {item.clientCount - 5} more</div>}
                  </td>
                  <td>
                    {pending ? (
                      <Actions item={item} groups={p.groups} csrf={p.csrf} hash={p.hash} />
                    ) : (
                      <Decided item={item} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
