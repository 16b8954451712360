// Contract test: the real npm @authress/sdk (2.3.127, the published release) against the sandbox.
// Configured only with the sandbox URL and a fixture access key; the SDK signs its own EdDSA JWTs.
//
// 2.3.127 has `users.getUser` and `tenants.*` but no getUsers, deleteUser or linkTenantUser
// (they arrive in later SDK versions), so those calls go through the SDK's own authenticated
// `httpClient`: the same token, headers and retry behaviour as its generated methods.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { AuthressClient, TokenVerifier } = require('@authress/sdk');

const BASE_URL = process.env.AUTHRESS_BASE_URL;
const ACCESS_KEY = process.env.AUTHRESS_ACCESS_KEY;
const READ_ONLY_KEY = process.env.AUTHRESS_READ_ONLY_ACCESS_KEY;
const EXPECTED_USERS = Number(process.env.AUTHRESS_EXPECTED_USERS);
const FELIX = 'google-oauth2|108915727483261245613';
const GRACE = 'oauth2|login.example.org/grace.hopper';
const JAN = 'github|4711042';

const authress = new AuthressClient({ authressApiUrl: BASE_URL }, ACCESS_KEY);

async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected the call to fail');
}

async function listUsers(query) {
  const response = await authress.httpClient.get(`/v1/users?${new URLSearchParams(query)}`);
  assert.equal(response.status, 200);
  return response.data;
}

test('paging with cursors lists every fixture user once', async () => {
  const ids = [];
  let cursor;
  for (;;) {
    const page = await listUsers(cursor ? { limit: 17, cursor } : { limit: 17 });
    ids.push(...page.users.map(u => u.userId));
    if (!page.pagination) {
      assert.equal(page.links.next, undefined);
      break;
    }
    cursor = page.pagination.next.cursor;
  }
  assert.equal(ids.length, EXPECTED_USERS);
  assert.equal(new Set(ids).size, ids.length);
});

test('the filter is case insensitive', async () => {
  const page = await listUsers({ filter: 'LOVELACE' });
  assert.deepEqual(page.users.map(u => u.userId), ['auth0|64f1c2a9e4b0a7d3c1e2f3a4']);
});

test('getUser round-trips percent-encoded ids', async () => {
  const felix = await authress.users.getUser(FELIX);
  const grace = await authress.users.getUser(GRACE);

  assert.equal(felix.status, 200);
  assert.equal(felix.headers['content-type'], 'application/links+json');
  assert.equal(felix.data.name, 'Felix Smith');
  assert.equal(felix.data.email, 'felixsmith@example.com');
  assert.equal(grace.data.userId, GRACE);
});

test('deleting a user makes getUser reject with 404', async () => {
  const deleted = await authress.httpClient.delete(`/v1/users/${encodeURIComponent(JAN)}`);
  assert.equal(deleted.status, 202);

  const error = await rejection(authress.users.getUser(JAN));
  assert.equal(error.status, 404);
  assert.equal(error.data.errorCode, 'UserNotFound');
});

test('linking a user to a tenant lists it by tenant', async () => {
  const tenant = await authress.tenants.getTenant('ten_initech');
  assert.equal(tenant.data.data.name, 'Initech');

  const linked = await authress.httpClient.patch('/v1/tenants/ten_initech/users', { userId: FELIX });
  assert.equal(linked.status, 204);

  const page = await listUsers({ tenantId: 'ten_initech' });
  assert.deepEqual(page.users.map(u => u.userId), [FELIX]);
  const tenants = await authress.tenants.getTenants();
  assert.deepEqual(tenants.data.tenants.map(t => t.tenantId), ['ten_acme', 'ten_globex', 'ten_initech']);
});

test('a read-only client gets 403 and a forged key 401', async () => {
  const readOnly = new AuthressClient({ authressApiUrl: BASE_URL }, READ_ONLY_KEY);
  const forbidden = await rejection(readOnly.httpClient.delete(`/v1/users/${encodeURIComponent(FELIX)}`));
  assert.equal(forbidden.status, 403);

  const [clientId, keyId, accountId] = ACCESS_KEY.split('.');
  const { privateKey } = crypto.generateKeyPairSync('ed25519');
  const der = privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
  const forged = new AuthressClient({ authressApiUrl: BASE_URL }, `${clientId}.${keyId}.${accountId}.${der}`);
  const unauthorized = await rejection(forged.users.getUser(FELIX));
  assert.equal(unauthorized.status, 401);
  assert.equal(unauthorized.data.errorCode, 'Unauthorized');
});

test('verifyToken accepts the SDK\'s own token and a minted user token via the JWKS', async () => {
  const serviceToken = await authress.tokenProvider.getToken(BASE_URL);
  const servicePayload = await authress.verifyToken(serviceToken);
  assert.equal(servicePayload.sub, ACCESS_KEY.split('.')[0]);

  const response = await fetch(`${BASE_URL}/__admin/authress/user-tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ userId: FELIX })
  });
  assert.equal(response.status, 201);
  const { accessToken } = await response.json();
  // What a frontend developer's backend does with the token of a logged-in user.
  const userPayload = await TokenVerifier(BASE_URL, accessToken);
  assert.equal(userPayload.sub, FELIX);
});
