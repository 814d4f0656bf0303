/**
 * @module admin/pages/layout
 * The page frame: skip link, navigation (with the pending-review count), who is logged in, a flash
 * message, and the one stylesheet and script. Every page renders inside it.
 */
import type { Child } from 'hono/jsx';

export type PageName = 'overview' | 'live' | 'review' | 'policy' | 'clients';

export interface Flash {
  kind: 'ok' | 'error';
  text: string;
}

export interface LayoutProps {
  title: string;
  active: PageName | null;
  actor: string | null;
  csrf: string | null;
  pending: number;
  flash?: Flash | null | undefined;
  children?: Child;
}

const NAV: [PageName, string, string][] = [
  ['overview', 'Overview', '/'],
  ['live', 'Live tail', '/live'],
  ['review', 'Review queue', '/review'],
  ['policy', 'Policy', '/policy'],
  ['clients', 'Clients', '/clients'],
];

export function Layout(p: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${p.title} · Cordon`}</title>
        <link rel="stylesheet" href="/static/app.css" />
        <script src="/static/app.js" defer></script>
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        {p.actor !== null && (
          <header class="top">
            <div class="bar">
              <span class="brand">Cordon</span>
              <nav aria-label="Main">
                <ul>
                  {NAV.map(([name, label, href]) => (
                    <li>
                      <a href={href} aria-current={p.active === name ? 'page' : undefined}>
                        {label}
                        {name === 'review' && p.pending > 0 && (
                          <span class="badge" aria-label={`${p.pending} pending`}>
                            {p.pending}
                          </span>
                        )}
                      </a>
                    </li>
                  ))}
                </ul>
              </nav>
              <div class="who">
                <span>Signed in as {p.actor}</span>
                <form method="post" action="/logout" class="inline">
                  <input type="hidden" name="_csrf" value={p.csrf ?? ''} />
                  <button type="submit">Sign out</button>
                </form>
              </div>
            </div>
          </header>
        )}
        <main id="main">
          {p.flash && (
            <div class={`flash ${p.flash.kind}`} role={p.flash.kind === 'error' ? 'alert' : 'status'}>
              {p.flash.text}
            </div>
          )}
          {p.children}
        </main>
      </body>
    </html>
  );
}
