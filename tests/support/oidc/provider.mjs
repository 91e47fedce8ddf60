// A real OpenID provider for the DfE Sign-in tests: the `oidc-provider` npm package (installed by
// tests/support/oidc_provider.py into .cache/, never committed), with its development login and
// consent pages. Any login is accepted and becomes the account's email address.
import { createRequire } from 'node:module';

const require = createRequire(process.env.OIDC_MODULES + '/');
const { default: Provider } = await import(require.resolve('oidc-provider'));

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  clients: JSON.parse(process.env.OIDC_CLIENTS),
  pkce: { methods: ['S256'], required: () => true },
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  conformIdTokenClaims: false,  // the email claim in the ID token itself, as DfE Sign-in does
  cookies: { keys: ['claimflow-test-cookie-key'] },
  async findAccount(ctx, id) {
    return { accountId: id, async claims() { return { sub: id, email: id, email_verified: true }; } };
  },
});
provider.listen(port, '127.0.0.1', () => console.log(`ready ${issuer}`));
