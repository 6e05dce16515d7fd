// The account page (API tokens) and the admins' user list.
import type { UserRecord } from '../../store/index.ts'
import { html } from '../html.ts'
import { csrfField, layout, table, type PageContext } from './layout.ts'

export function accountPage(ctx: PageContext, created?: { token: string; label: string }): string {
  return layout(
    ctx,
    `Account: ${ctx.user.name}`,
    html`<p>Role: ${ctx.user.role}</p>
      ${
        created
          ? html`<p class="result">
              API token <b>${created.label}</b>, shown this once:
              <code class="token">${created.token}</code>
            </p>`
          : ''
      }
      <h2>New API token</h2>
      <form method="post" action="/account/tokens">
        ${csrfField(ctx)}<label>Label <input name="label" required /></label>
        <button type="submit">Create token</button>
      </form>`,
  )
}

export function usersPage(ctx: PageContext, users: UserRecord[], message?: string): string {
  return layout(
    ctx,
    'Users',
    html`${message ? html`<p class="result">${message}</p>` : ''}
      ${table('users', ['Name', 'Role', 'Created'], users, (u) => [u.name, u.role, u.createdAt])}
      <h2>Add a user (or reset one)</h2>
      <form method="post" action="/admin/users">
        ${csrfField(ctx)}
        <label>Name <input name="name" required /></label>
        <label
          >Role
          <select name="role">
            <option>analyst</option>
            <option>operator</option>
            <option>admin</option>
          </select></label
        >
        <label>Password <input type="password" name="password" minlength="12" required /></label>
        <button type="submit">Save</button>
      </form>`,
  )
}
