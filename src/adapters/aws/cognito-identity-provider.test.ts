import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AdminConfirmSignUpCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  RevokeTokenCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { isManuelError } from '../../core/errors.js';
import { InMemoryUserRepo } from '../../../test/helpers/fakes.js';
import { motoSkip, startMoto, type MotoServer } from '../../../test/helpers/aws-emulators.js';
import { createTestPool, type TestPool } from '../../../test/helpers/cognito-pool.js';
import { CognitoIdentityProvider } from './cognito-identity-provider.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const code = (e: unknown) => (isManuelError(e) ? e.code : String(e));
const awsError = (name: string, message = name) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
/** An unsigned JWT-shaped token with this subject (the adapter only reads `sub` of what Cognito returns). */
const idToken = (sub: string) => ['e30', Buffer.from(JSON.stringify({ sub, token_use: 'id' })).toString('base64url'), 'sig'].join('.');

describe('CognitoIdentityProvider: the calls it makes (mocked client)', () => {
  const client = new CognitoIdentityProviderClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const mock = mockClient(client);
  const provider = () => new CognitoIdentityProvider({ client, userPoolId: 'eu-west-1_abc', clientId: 'app', users: new InMemoryUserRepo() });

  it('logs out with RevokeToken on the app client; a token Cognito does not know is already logged out', async () => {
    mock.reset();
    mock.on(RevokeTokenCommand).resolves({});
    await provider().logout('refresh-1');
    assert.deepEqual(mock.commandCalls(RevokeTokenCommand)[0]!.args[0].input, { ClientId: 'app', Token: 'refresh-1' });
    mock.on(RevokeTokenCommand).rejects(awsError('UnsupportedTokenTypeException'));
    await provider().logout('garbage');
    mock.on(RevokeTokenCommand).rejects(awsError('UnsupportedOperationException', 'Token revocation is not enabled'));
    await assert.rejects(provider().logout('refresh-1'), (e) => code(e) === 'upstream_error');
  });

  it('skips AdminConfirmSignUp when a pre-sign-up trigger already confirmed the user', async () => {
    mock.reset();
    mock.on(SignUpCommand).resolves({ UserSub: 'sub-1', UserConfirmed: true });
    mock.on(InitiateAuthCommand).resolves({ AuthenticationResult: { IdToken: idToken('sub-1'), AccessToken: 'a', RefreshToken: 'r', ExpiresIn: 900 } });
    const r = await provider().signUp({ email: 'a@example.com', password: 'password-1', name: 'A', isAdmin: false });
    assert.equal(r.userId, 'sub-1');
    assert.equal(r.passwordHash, '');
    assert.equal(r.tokens.expiresIn, 900);
    assert.equal(mock.commandCalls(AdminConfirmSignUpCommand).length, 0);
    assert.deepEqual(mock.commandCalls(SignUpCommand)[0]!.args[0].input.UserAttributes, [
      { Name: 'email', Value: 'a@example.com' },
      { Name: 'name', Value: 'A' },
    ]);
  });

  it('keeps the refresh token when Cognito does not rotate it, and takes the new one when it does', async () => {
    mock.reset();
    mock
      .on(InitiateAuthCommand)
      .resolvesOnce({ AuthenticationResult: { IdToken: idToken('s'), AccessToken: 'a', ExpiresIn: 3600 } })
      .resolvesOnce({ AuthenticationResult: { IdToken: idToken('s'), AccessToken: 'a', RefreshToken: 'new', ExpiresIn: 3600 } });
    assert.equal((await provider().refresh('old')).tokens.refreshToken, 'old');
    assert.equal((await provider().refresh('old')).tokens.refreshToken, 'new');
    assert.deepEqual(mock.commandCalls(InitiateAuthCommand)[0]!.args[0].input, { ClientId: 'app', AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: 'old' } });
  });

  it('maps Cognito errors to the embedded codes: throttling 429, challenges and unconfirmed users 401', async () => {
    mock.reset();
    mock
      .on(InitiateAuthCommand)
      .rejectsOnce(awsError('TooManyRequestsException'))
      .rejectsOnce(awsError('UserNotConfirmedException'))
      .resolvesOnce({ ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: 's' });
    await assert.rejects(provider().login({ email: 'a@example.com', password: 'p' }), (e) => code(e) === 'rate_limited');
    await assert.rejects(provider().login({ email: 'a@example.com', password: 'p' }), (e) => code(e) === 'unauthorized');
    await assert.rejects(provider().login({ email: 'a@example.com', password: 'p' }), (e) => code(e) === 'unauthorized' && /SOFTWARE_TOKEN_MFA/.test((e as Error).message));
  });
});

describe('CognitoIdentityProvider on moto', { skip: motoSkip() }, () => {
  let moto: MotoServer;
  let pool: TestPool;
  before(async () => {
    moto = await startMoto();
    pool = await createTestPool(moto, { RequireNumbers: true });
  });
  after(async () => {
    pool?.client.destroy();
    await moto?.close();
  });
  const make = (users = new InMemoryUserRepo()) =>
    new CognitoIdentityProvider({ client: pool.client, userPoolId: pool.userPoolId, clientId: pool.clientId, users, jwksUri: pool.jwksUri });

  it("answers validation_error when the pool's password policy refuses, conflict for a taken email", async () => {
    const p = make();
    await assert.rejects(p.signUp({ email: 'weak@example.com', password: 'no-digits-here', name: null, isAdmin: false }), (e) => code(e) === 'validation_error');
    await p.signUp({ email: 'dup@example.com', password: 'password-1', name: null, isAdmin: false });
    await assert.rejects(p.signUp({ email: 'dup@example.com', password: 'password-2', name: null, isAdmin: false }), (e) => code(e) === 'conflict');
  });

  it('uses the Cognito sub as the user id, and refuses a valid token whose profile is gone', async () => {
    const users = new InMemoryUserRepo();
    const p = make(users);
    const r = await p.signUp({ email: 'sub@example.com', password: 'password-1', name: null, isAdmin: false });
    const payload = JSON.parse(Buffer.from(r.tokens.accessToken.split('.')[1]!, 'base64url').toString());
    assert.equal(payload.sub, r.userId);
    // no profile was written for this user: the signature is fine but the caller is unknown
    await assert.rejects(p.verify(r.tokens.accessToken), (e) => code(e) === 'unauthorized' && /Unknown user/.test((e as Error).message));
  });

  it('a token of another pool does not verify', async () => {
    const users = new InMemoryUserRepo();
    const other = await createTestPool(moto);
    const foreign = new CognitoIdentityProvider({ client: other.client, userPoolId: other.userPoolId, clientId: other.clientId, users, jwksUri: other.jwksUri });
    const r = await foreign.signUp({ email: 'x@example.com', password: 'password-1', name: null, isAdmin: false });
    await users.create({ id: r.userId, email: 'x@example.com', name: null, passwordHash: '', isAdmin: true, createdAt: new Date().toISOString() });
    assert.equal((await foreign.verify(r.tokens.accessToken)).userId, r.userId);
    await assert.rejects(make(users).verify(r.tokens.accessToken), (e) => code(e) === 'unauthorized');
    other.client.destroy();
  });
});
