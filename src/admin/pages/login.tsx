/**
 * @module admin/pages/login
 * The way in for people: paste the admin token (printed at first start, or CORDON_ADMIN_TOKEN) and
 * a name for the audit trail; a session cookie follows.
 */
import { Layout } from './layout.js';

export function LoginPage(p: { next: string; error: string | null }) {
  return (
    <Layout
      title="Sign in"
      active={null}
      actor={null}
      csrf={null}
      pending={0}
      flash={p.error ? { kind: 'error', text: p.error } : null}
    >
      <div class="card login">
        <h1>Sign in to Cordon</h1>
        <p class="muted">
          Use the admin token: <code>CORDON_ADMIN_TOKEN</code>, or the one printed at first start and saved as{' '}
          <code>admin-token</code> in the data folder.
        </p>
        <form method="post" action="/login">
          <input type="hidden" name="next" value={p.next} />
          <label for="token">Admin token</label>
          <input id="token" name="token" type="password" autocomplete="current-password" required autofocus />
          <label for="actor">Your name (recorded with every change you make)</label>
          <input
            id="actor"
            name="actor"
            type="text"
            autocomplete="username"
            maxlength={64}
            placeholder="admin"
          />
          <button type="submit">Sign in</button>
        </form>
      </div>
    </Layout>
  );
}
