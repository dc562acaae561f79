import { html, type Html } from '../html.js';
import { csrfField, href, type PageContext } from '../layout.js';

/** The token login (auth `{ token }`): sets an HttpOnly, SameSite=Strict session cookie. */
export function loginPage(context: PageContext, failed: boolean): Html {
  return html`<form class="login" method="post" action="${href(context, '/login')}">${csrfField(context)}
${failed ? html`<p class="error" role="alert">That token is not the dashboard's.</p>` : html`<p class="hint">This dashboard needs its access token (or an <code>Authorization: Bearer</code> header).</p>`}
<label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button>
</form>`;
}

/** Something went wrong: a fixed text and a reason already redacted by the caller. */
export function errorPage(_context: PageContext, message: string): Html {
  return html`<p class="error" role="alert">${message}</p>`;
}
