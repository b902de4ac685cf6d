/**
 * The Dashboard's pages, as Eta templates compiled once: Eta escapes every `<%= %>` (autoEscape),
 * so nothing a user typed (names, paths, policy documents, descriptions) is ever markup. The
 * layout carries the navigation (the seed's Quick Links), the user menu with "Download new
 * credentials", the one-time notice of the last action, and each form's CSRF token.
 */
import { Eta } from 'eta';

const eta = new Eta({ autoEscape: true, autoTrim: false, useWith: false });

const LAYOUT = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title><%= it.title %> · Eucalyptus Dashboard</title>
<link rel="stylesheet" href="/static/dashboard.css">
<script src="/static/dashboard.js" defer></script>
</head>
<body>
<header class="top">
  <a class="brand" href="/">Eucalyptus</a>
  <% if (it.who) { %>
  <nav class="links" aria-label="Quick Links">
    <a href="/">Start</a>
    <a href="/users">Users</a>
    <a href="/groups">Groups</a>
    <a href="/images">Images</a>
    <a href="/resources">Resources</a>
    <a href="/accounts">Accounts</a>
    <% if (it.who.cloudAdmin) { %><a href="/signups">Sign-ups</a><a href="/nodes">Nodes</a><% } %>
  </nav>
  <details class="menu">
    <summary><%= it.who.user %>@<%= it.who.account %></summary>
    <form method="post" action="/credentials/download"><input type="hidden" name="csrf" value="<%= it.csrf %>"><button>Download new credentials</button></form>
    <a href="/credentials">Access keys and certificates</a>
    <form method="post" action="/logout"><input type="hidden" name="csrf" value="<%= it.csrf %>"><button>Log out</button></form>
  </details>
  <% } %>
</header>
<main>
<% if (it.flash) { %><p class="flash <%= it.flash.kind %>" role="status"><%= it.flash.text %></p><% } %>
<%~ it.body %>
</main>
</body>
</html>
`;

/** Every page's body template, by name. */
const PAGES = {
  login: `<section class="card narrow">
<h1>Log in</h1>
<% if (it.error) { %><p class="flash error" role="alert"><%= it.error %></p><% } %>
<form method="post" action="/login" class="stack">
  <input type="hidden" name="csrf" value="<%= it.csrf %>">
  <label>Account <input name="account" value="<%= it.account %>" required autocomplete="organization"></label>
  <label>User name <input name="user" value="<%= it.user %>" required autocomplete="username"></label>
  <label>Password <input name="password" type="password" required autocomplete="current-password"></label>
  <button class="primary">Log in</button>
</form>
<p>No account yet? <a href="/signup">Apply</a> for one.</p>
</section>`,

  signup: `<section class="card narrow">
<h1>Apply for an account</h1>
<p>The cloud administrator approves your account; you then log in as its <code>admin</code> user with the password you choose here.</p>
<% if (it.error) { %><p class="flash error" role="alert"><%= it.error %></p><% } %>
<form method="post" action="/signup" class="stack">
  <input type="hidden" name="csrf" value="<%= it.csrf %>">
  <label>Account name <input name="account" value="<%= it.account %>" required pattern="[a-z0-9][a-z0-9.\\-]{0,62}"></label>
  <label>Admin e-mail <input name="email" type="email" value="<%= it.email %>" required></label>
  <label>Password <input name="password" type="password" required autocomplete="new-password"></label>
  <label>Password again <input name="password2" type="password" required autocomplete="new-password"></label>
  <button class="primary">Apply</button>
</form>
</section>`,

  applied: `<section class="card narrow">
<h1>Application received</h1>
<p>The account <strong><%= it.account %></strong> waits for the cloud administrator's approval. Once approved, <a href="/login">log in</a> as <code>admin</code>.</p>
</section>`,

  home: `<h1>Start</h1>
<div class="tiles">
  <a class="tile" href="/users"><strong><%= it.counts.users %></strong> users</a>
  <a class="tile" href="/groups"><strong><%= it.counts.groups %></strong> groups</a>
  <a class="tile" href="/images"><strong><%= it.counts.images %></strong> images</a>
  <a class="tile" href="/resources"><strong><%= it.counts.instances %></strong> instances</a>
</div>
<p>Account <strong><%= it.account.name %></strong> (<code><%= it.account.id %></code>). Your command-line credentials: <em>Download new credentials</em> in the menu at the top right.</p>`,

  users: `<h1>Users</h1>
<table class="sortable">
<thead><tr><th>Name</th><th>Path</th><th>ID</th><th>Created</th></tr></thead>
<tbody>
<% it.users.forEach(function (u) { %><tr><td><a href="/users/<%= encodeURIComponent(u.name) %>"><%= u.name %></a></td><td><%= u.path %></td><td><code><%= u.id %></code></td><td><%= u.created %></td></tr>
<% }) %></tbody>
</table>
<% if (!it.users.length) { %><p class="empty">No users.</p><% } %>
<details class="action"><summary>New users</summary>
<form method="post" action="/users" class="stack">
  <input type="hidden" name="csrf" value="<%= it.csrf %>">
  <label>User names (separated by spaces) <input name="names" required></label>
  <label>User path <input name="path" value="/"></label>
  <button class="primary">OK</button>
</form></details>`,

  user: `<h1>User <%= it.user.name %></h1>
<section class="card">
<h2>Properties</h2>
<form method="post" action="/users/<%= encodeURIComponent(it.user.name) %>" class="stack">
  <input type="hidden" name="csrf" value="<%= it.csrf %>">
  <label>Name <input name="name" value="<%= it.user.name %>" required></label>
  <label>Path <input name="path" value="<%= it.user.path %>" required></label>
  <button class="primary">Save</button>
</form>
<p>ARN <code><%= it.arn %></code> · Groups: <% it.groups.forEach(function (g, i) { %><%= i ? ', ' : '' %><a href="/groups/<%= encodeURIComponent(g.name) %>"><%= g.name %></a><% }) %><%= it.groups.length ? '' : 'none' %></p>
</section>
<section class="card">
<h2>Password</h2>
<form method="post" action="/users/<%= encodeURIComponent(it.user.name) %>/password" class="stack">
  <input type="hidden" name="csrf" value="<%= it.csrf %>">
  <label>New user password <input name="password" type="password" required autocomplete="new-password"></label>
  <label>New password again <input name="password2" type="password" required autocomplete="new-password"></label>
  <button class="primary">OK</button>
</form>
</section>
<section class="card danger">
<h2>Delete user</h2>
<form method="post" action="/users/<%= encodeURIComponent(it.user.name) %>/delete">
  <input type="hidden" name="csrf" value="<%= it.csrf %>">
  <button class="danger">Delete <%= it.user.name %></button> (with its keys, certificates, password and policies)
</form>
</section>`,

  groups: `<h1>Groups</h1>
<table class="sortable">
<thead><tr><th>Name</th><th>Path</th><th>ID</th><th>Created</th></tr></thead>
<tbody>
<% it.groups.forEach(function (g) { %><tr><td><a href="/groups/<%= encodeURIComponent(g.name) %>"><%= g.name %></a></td><td><%= g.path %></td><td><code><%= g.id %></code></td><td><%= g.created %></td></tr>
<% }) %></tbody>
</table>
<% if (!it.groups.length) { %><p class="empty">No groups.</p><% } %>
<details class="action"><summary>New groups</summary>
<form method="post" action="/groups" class="stack">
  <input type="hidden" name="csrf" value="<%= it.csrf %>">
  <label>Group names (separated by spaces) <input name="names" required></label>
  <label>Group path <input name="path" value="/"></label>
  <button class="primary">OK</button>
</form></details>`,

  group: `<h1>Group <%= it.group.name %></h1>
<section class="card">
<h2>Properties</h2>
<form method="post" action="/groups/<%= encodeURIComponent(it.group.name) %>" class="stack">
  <input type="hidden" name="csrf" value="<%= it.csrf %>">
  <label>Name <input name="name" value="<%= it.group.name %>" required></label>
  <label>Path <input name="path" value="<%= it.group.path %>" required></label>
  <button class="primary">Save</button>
</form>
<p>ARN <code><%= it.arn %></code></p>
</section>
<section class="card">
<h2>Users</h2>
<ul class="list"><% it.members.forEach(function (u) { %><li><a href="/users/<%= encodeURIComponent(u.name) %>"><%= u.name %></a></li><% }) %></ul>
<% if (!it.members.length) { %><p class="empty">No users in this group.</p><% } %>
<form method="post" action="/groups/<%= encodeURIComponent(it.group.name) %>/users" class="inline">
  <input type="hidden" name="csrf" value="<%= it.csrf %>">
  <label>User name <input name="user" required></label>
  <button name="op" value="add" class="primary">Add users</button>
  <button name="op" value="remove">Remove users</button>
</form>
</section>
<section class="card">
<h2>Policies</h2>
<% it.policies.forEach(function (p) { %><article class="policy"><h3><%= p.name %></h3><pre><%= p.document %></pre>
<form method="post" action="/groups/<%= encodeURIComponent(it.group.name) %>/policies/delete"><input type="hidden" name="csrf" value="<%= it.csrf %>"><input type="hidden" name="policy" value="<%= p.name %>"><button>Delete policy</button></form></article>
<% }) %>
<% if (!it.policies.length) { %><p class="empty">No policies.</p><% } %>
<details class="action"><summary>Add policy</summary>
<form method="post" action="/groups/<%= encodeURIComponent(it.group.name) %>/policies" class="stack">
  <input type="hidden" name="csrf" value="<%= it.csrf %>">
  <label>Policy name <input name="policy" required></label>
  <fieldset><legend>Build it (as euare-groupaddpolicy)</legend>
    <label>Effect <select name="effect"><option>Allow</option><option>Deny</option></select></label>
    <label>Actions (separated by spaces) <input name="actions" placeholder="ec2:Describe*"></label>
    <label>Resources (separated by spaces) <input name="resources" value="*"></label>
  </fieldset>
  <label>Or the policy content (JSON, as euare-groupuploadpolicy) <textarea name="document" rows="8"></textarea></label>
  <button class="primary">OK</button>
</form></details>
</section>
<section class="card danger">
<h2>Delete group</h2>
<form method="post" action="/groups/<%= encodeURIComponent(it.group.name) %>/delete">
  <input type="hidden" name="csrf" value="<%= it.csrf %>">
  <button class="danger">Delete <%= it.group.name %></button> (its users are removed from it and its policies deleted)
</form>
</section>`,

  credentials: `<h1>Access keys and certificates of <%= it.user %></h1>
<form method="post" action="/credentials/download"><input type="hidden" name="csrf" value="<%= it.csrf %>"><button class="primary">Download new credentials</button></form>
<section class="card">
<h2>Access keys</h2>
<table class="sortable"><thead><tr><th>Access key ID</th><th>Status</th><th>Created</th><th></th></tr></thead><tbody>
<% it.keys.forEach(function (k) { %><tr><td><code><%= k.id %></code></td><td><%= k.status %></td><td><%= k.created %></td><td>
<form method="post" action="/credentials/keys" class="inline"><input type="hidden" name="csrf" value="<%= it.csrf %>"><input type="hidden" name="key" value="<%= k.id %>">
<button name="op" value="<%= k.status === 'Active' ? 'deactivate' : 'activate' %>"><%= k.status === 'Active' ? 'Deactivate' : 'Activate' %></button>
<button name="op" value="delete" class="danger">Delete</button></form></td></tr>
<% }) %></tbody></table>
<% if (!it.keys.length) { %><p class="empty">No access keys.</p><% } %>
<form method="post" action="/credentials/keys"><input type="hidden" name="csrf" value="<%= it.csrf %>"><button name="op" value="create">Create access key</button></form>
<% if (it.newKey) { %><p class="flash ok" role="status">New key <code><%= it.newKey.id %></code>, secret <code><%= it.newKey.secret %></code>: copy the secret now, it is not shown again.</p><% } %>
</section>
<section class="card">
<h2>X.509 certificates</h2>
<table class="sortable"><thead><tr><th>Certificate ID</th><th>Status</th><th>Uploaded</th></tr></thead><tbody>
<% it.certs.forEach(function (c) { %><tr><td><code><%= c.id %></code></td><td><%= c.status %></td><td><%= c.created %></td></tr><% }) %>
</tbody></table>
<% if (!it.certs.length) { %><p class="empty">No certificates.</p><% } %>
</section>`,

  images: `<h1>Images</h1>
<table class="sortable"><thead><tr><th>ID</th><th>Name</th><th>Description</th><th>Manifest</th><th>Owner</th><th>State</th><th>Visibility</th><th>Type</th></tr></thead><tbody>
<% it.images.forEach(function (i) { %><tr><td><code><%= i.id %></code></td><td><%= i.name %></td><td><%= i.description %></td><td><%= i.location %></td><td><%= i.owner %></td><td class="state <%= i.state %>"><%= i.state %><% if (i.reason) { %>: <%= i.reason %><% } %></td><td><%= i.visibility %></td><td><%= i.type %></td></tr>
<% }) %></tbody></table>
<% if (!it.images.length) { %><p class="empty">No images you can see.</p><% } %>`,

  resources: `<h1>Resources of <%= it.account %></h1>
<% it.tables.forEach(function (t) { %><section class="card"><h2><%= t.title %></h2>
<table class="sortable"><thead><tr><% t.columns.forEach(function (c) { %><th><%= c %></th><% }) %></tr></thead><tbody>
<% t.rows.forEach(function (r) { %><tr><% r.forEach(function (v) { %><td><%= v %></td><% }) %></tr><% }) %></tbody></table>
<% if (t.denied) { %><p class="empty">Your policies do not let you list these.</p><% } else if (!t.rows.length) { %><p class="empty">None.</p><% } %></section>
<% }) %>`,

  accounts: `<h1>Accounts</h1>
<table class="sortable"><thead><tr><th>Name</th><th>ID</th><th>Users</th><th>Member groups</th></tr></thead><tbody>
<% it.accounts.forEach(function (a) { %><tr><td><%= a.name %></td><td><code><%= a.id %></code></td>
<td><%= a.users ? a.users.map(function (u) { return u.name + (u.enabled ? '' : ' (disabled)'); }).join(', ') : '(not yours to list)' %></td>
<td><%= a.groups ? a.groups.join(', ') : '(not yours to list)' %></td></tr><% }) %>
</tbody></table>
<% it.accounts.forEach(function (a) { %>
<details class="action"><summary>New users in <%= a.name %></summary>
<form method="post" action="/accounts/<%= encodeURIComponent(a.id) %>/new" class="stack">
  <input type="hidden" name="csrf" value="<%= it.csrf %>"><input type="hidden" name="kind" value="users">
  <label>User names (separated by spaces) <input name="names" required></label>
  <label>User path <input name="path" value="/"></label>
  <button class="primary">OK</button>
</form></details>
<details class="action"><summary>New groups in <%= a.name %></summary>
<form method="post" action="/accounts/<%= encodeURIComponent(a.id) %>/new" class="stack">
  <input type="hidden" name="csrf" value="<%= it.csrf %>"><input type="hidden" name="kind" value="groups">
  <label>Group name (separated by spaces) <input name="names" required></label>
  <label>Group path <input name="path" value="/"></label>
  <button class="primary">OK</button>
</form></details>
<% }) %>
<% if (it.admin) { %><section class="card"><h2>A user of any account</h2>
<form method="post" action="/accounts/users" class="inline">
  <input type="hidden" name="csrf" value="<%= it.csrf %>">
  <label>Account <input name="account" required></label>
  <label>User <input name="user" required></label>
  <label>New password <input name="password" type="password" autocomplete="new-password"></label>
  <button name="op" value="disable">Disable</button><button name="op" value="enable">Enable</button><button name="op" value="password">Reset password</button>
</form></section><% } %>`,

  signups: `<h1>Sign-ups waiting for approval</h1>
<table class="sortable"><thead><tr><th>Account</th><th>E-mail</th><th>Requested</th><th></th></tr></thead><tbody>
<% it.requests.forEach(function (r) { %><tr><td><%= r.name %></td><td><%= r.email %></td><td><%= r.requested %></td><td>
<form method="post" action="/signups" class="inline"><input type="hidden" name="csrf" value="<%= it.csrf %>"><input type="hidden" name="account" value="<%= r.name %>">
<button name="op" value="approve" class="primary">Approve</button><button name="op" value="reject" class="danger">Reject</button></form></td></tr>
<% }) %></tbody></table>
<% if (!it.requests.length) { %><p class="empty">No sign-up is waiting.</p><% } %>`,

  nodes: `<h1>Nodes and capacity</h1>
<table><tbody><% it.lines.forEach(function (l) { %><tr><td><%= l.zoneName %></td><td><%= l.zoneState %></td></tr><% }) %></tbody></table>`,

  error: `<section class="card narrow"><h1><%= it.status %> <%= it.title %></h1><p><%= it.message %></p><p><a href="/">Start page</a></p></section>`,
} as const;

export type PageName = keyof typeof PAGES;

const compiledLayout = eta.compile(LAYOUT);
const compiled = Object.fromEntries(Object.entries(PAGES).map(([k, v]) => [k, eta.compile(v)])) as Record<
  PageName,
  ReturnType<typeof eta.compile>
>;

export interface LayoutData {
  title: string;
  csrf: string;
  who?: { user: string; account: string; cloudAdmin: boolean };
  flash?: { kind: 'ok' | 'error'; text: string };
}

/** A whole page: the body template rendered with `data`, inside the layout. */
export function page(name: PageName, layout: LayoutData, data: Record<string, unknown> = {}): string {
  const body = eta.render(compiled[name], { ...data, csrf: layout.csrf });
  return eta.render(compiledLayout, { ...layout, body });
}
