import {
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  SignUpCommand,
  type AuthenticationResultType,
} from '@aws-sdk/client-cognito-identity-provider';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { JwtExpiredError, JwtBaseError, FetchError } from 'aws-jwt-verify/error';
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { errors, isManuelError } from '../../core/errors.js';
import type { AdoptedAccount, IdentityProvider, NewAccount, ProviderTokens } from '../../core/ports/identity-provider.js';
import type { TokenClaims } from '../../core/ports/token-service.js';
import type { UserRepo } from '../../core/ports/user-repo.js';

export interface CognitoIdentityOptions {
  client: CognitoIdentityProviderClient;
  userPoolId: string;
  /** An app client without a secret, with ALLOW_USER_PASSWORD_AUTH and ALLOW_REFRESH_TOKEN_AUTH. */
  clientId: string;
  /** Profiles: a verified token's `sub` is looked up here for its email and admin flag. */
  users: UserRepo;
  /**
   * Where to read the pool's signing keys instead of its public issuer URL (emulators: moto serves
   * them at `${endpoint}/${userPoolId}/.well-known/jwks.json`). Absent: aws-jwt-verify fetches and
   * caches them from `https://cognito-idp.<region>.amazonaws.com/<pool>/.well-known/jwks.json`.
   */
  jwksUri?: string;
}

const BAD_CREDENTIALS = 'Invalid email or password';
const BAD_REFRESH = 'Invalid or expired refresh token';

/**
 * Amazon Cognito user pool behind the IdentityProvider port: SignUp (+ AdminConfirmSignUp when the
 * pool has no pre-sign-up trigger that confirms), InitiateAuth USER_PASSWORD_AUTH and
 * REFRESH_TOKEN_AUTH, RevokeToken; bearer tokens verified offline with aws-jwt-verify. The user id
 * is the Cognito `sub`; the profile (name, admin flag) stays in UserRepo, so admin rights are not
 * a Cognito group and change without re-issuing tokens.
 */
export class CognitoIdentityProvider implements IdentityProvider {
  private readonly verifier;
  private jwksLoaded: Promise<void> | null = null;

  constructor(private readonly o: CognitoIdentityOptions) {
    this.verifier = CognitoJwtVerifier.create({ userPoolId: o.userPoolId, clientId: o.clientId, tokenUse: null });
  }

  async signUp(account: NewAccount): Promise<{ userId: string; passwordHash: string; tokens: ProviderTokens }> {
    const attributes = [{ Name: 'email', Value: account.email }, ...(account.name ? [{ Name: 'name', Value: account.name }] : [])];
    const created = await this.call(
      () => this.o.client.send(new SignUpCommand({ ClientId: this.o.clientId, Username: account.email, Password: account.password, UserAttributes: attributes })),
      'signup',
    );
    if (!created.UserSub) throw errors.upstream('Cognito SignUp returned no user id');
    // Manuel has no email verification step: the account is usable at once, as in the embedded shape.
    if (!created.UserConfirmed) {
      await this.call(() => this.o.client.send(new AdminConfirmSignUpCommand({ UserPoolId: this.o.userPoolId, Username: created.UserSub })), 'signup');
    }
    const { tokens } = await this.login({ email: account.email, password: account.password });
    return { userId: created.UserSub, passwordHash: '', tokens };
  }

  /**
   * Cognito cannot take a foreign password hash: AdminCreateUser without a password makes the pool
   * e-mail a temporary one and puts the account in FORCE_CHANGE_PASSWORD (a forced reset). An account
   * the pool already holds (an import run again after a failure) is looked up, not created twice.
   */
  async adopt(account: AdoptedAccount): Promise<{ userId: string; passwordHash: string; passwordMoved: boolean }> {
    const attributes = [
      { Name: 'email', Value: account.email },
      { Name: 'email_verified', Value: 'true' },
      ...(account.name ? [{ Name: 'name', Value: account.name }] : []),
    ];
    let sub: string | undefined;
    try {
      const created = await this.o.client.send(new AdminCreateUserCommand({ UserPoolId: this.o.userPoolId, Username: account.email, UserAttributes: attributes, DesiredDeliveryMediums: ['EMAIL'] }));
      sub = created.User?.Attributes?.find((a) => a.Name === 'sub')?.Value;
    } catch (e) {
      if (errorName(e) !== 'UsernameExistsException') throw mapCognitoError(e, 'signup');
      const got = await this.call(() => this.o.client.send(new AdminGetUserCommand({ UserPoolId: this.o.userPoolId, Username: account.email })), 'signup');
      sub = got.UserAttributes?.find((a) => a.Name === 'sub')?.Value;
    }
    if (!sub) throw errors.upstream('Cognito AdminCreateUser returned no user id');
    return { userId: sub, passwordHash: '', passwordMoved: false };
  }

  async login(input: { email: string; password: string }): Promise<{ userId: string; tokens: ProviderTokens }> {
    const r = await this.call(
      () =>
        this.o.client.send(
          new InitiateAuthCommand({ ClientId: this.o.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: input.email, PASSWORD: input.password } }),
        ),
      'login',
    );
    // An imported account (AdminCreateUser, FORCE_CHANGE_PASSWORD) signing in with its temporary password.
    if (r.ChallengeName === 'NEW_PASSWORD_REQUIRED' && r.Session) throw errors.passwordResetRequired(r.Session);
    if (r.ChallengeName) throw errors.unauthorized(`Sign-in needs a step this API does not support (${r.ChallengeName})`);
    return this.session(r.AuthenticationResult, undefined);
  }

  async completeReset(input: { email: string; session: string; newPassword: string }): Promise<{ userId: string; tokens: ProviderTokens }> {
    const r = await this.call(
      () =>
        this.o.client.send(
          new RespondToAuthChallengeCommand({
            ClientId: this.o.clientId,
            ChallengeName: 'NEW_PASSWORD_REQUIRED',
            Session: input.session,
            ChallengeResponses: { USERNAME: input.email, NEW_PASSWORD: input.newPassword },
          }),
        ),
      'reset',
    );
    if (r.ChallengeName) throw errors.unauthorized(`Sign-in needs a step this API does not support (${r.ChallengeName})`);
    return this.session(r.AuthenticationResult, undefined);
  }

  /** AdminDeleteUser: the pool forgets the account, and Cognito refuses its refresh tokens from then on. */
  async deleteAccount(account: { email: string }): Promise<void> {
    try {
      await this.o.client.send(new AdminDeleteUserCommand({ UserPoolId: this.o.userPoolId, Username: account.email }));
    } catch (e) {
      if (errorName(e) !== 'UserNotFoundException') throw mapCognitoError(e, 'delete');
    }
  }

  async refresh(refreshToken: string): Promise<{ userId: string; tokens: ProviderTokens }> {
    const r = await this.call(
      () =>
        this.o.client.send(new InitiateAuthCommand({ ClientId: this.o.clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: refreshToken } })),
      'refresh',
    );
    return this.session(r.AuthenticationResult, refreshToken);
  }

  async logout(refreshToken: string): Promise<void> {
    try {
      await this.o.client.send(new RevokeTokenCommand({ ClientId: this.o.clientId, Token: refreshToken }));
    } catch (e) {
      // Idempotent like the embedded logout: a token Cognito does not know (or not as a refresh token) is already gone.
      if (['InvalidParameterException', 'UnsupportedTokenTypeException', 'NotAuthorizedException'].includes(errorName(e))) return;
      throw mapCognitoError(e, 'logout');
    }
  }

  async verify(token: string): Promise<TokenClaims> {
    await this.loadJwks();
    let payload;
    try {
      payload = await this.verifier.verify(token);
    } catch (e) {
      if (e instanceof FetchError) throw errors.unavailable('The signing keys of the user pool could not be fetched');
      if (e instanceof JwtExpiredError) throw errors.unauthorized('Token expired');
      if (e instanceof JwtBaseError) throw errors.unauthorized('Invalid bearer token');
      throw e;
    }
    const user = await this.o.users.byId(payload.sub);
    if (!user) throw errors.unauthorized('Unknown user');
    return { userId: user.id, email: user.email, isAdmin: user.isAdmin, tokenUse: payload.token_use };
  }

  private loadJwks(): Promise<void> {
    const uri = this.o.jwksUri;
    if (!uri) return Promise.resolve();
    this.jwksLoaded ??= (async () => {
      const res = await fetch(uri);
      if (!res.ok) throw errors.unavailable(`The user pool's signing keys answered ${res.status}`);
      this.verifier.cacheJwks((await res.json()) as Jwks);
    })().catch((e) => {
      this.jwksLoaded = null; // try again on the next request
      throw isManuelError(e) ? e : errors.unavailable('The signing keys of the user pool could not be fetched');
    });
    return this.jwksLoaded;
  }

  private session(result: AuthenticationResultType | undefined, previousRefresh: string | undefined): { userId: string; tokens: ProviderTokens } {
    const refreshToken = result?.RefreshToken ?? previousRefresh; // Cognito rotates only when rotation is on
    if (!result?.IdToken || !result.AccessToken || !refreshToken) throw errors.upstream('Cognito returned no tokens');
    // Straight from Cognito over TLS: its subject is read without verifying (verify() does that per request).
    const sub = decomposeUnverifiedJwt(result.IdToken).payload.sub;
    if (!sub) throw errors.upstream('Cognito returned an id token without a subject');
    return {
      userId: sub,
      tokens: { idToken: result.IdToken, accessToken: result.AccessToken, refreshToken, expiresIn: result.ExpiresIn ?? 3600 },
    };
  }

  private async call<T>(send: () => Promise<T>, op: CognitoOp): Promise<T> {
    try {
      return await send();
    } catch (e) {
      throw mapCognitoError(e, op);
    }
  }
}

type CognitoOp = 'signup' | 'login' | 'refresh' | 'logout' | 'reset' | 'delete';

const BAD_RESET = 'Invalid or expired reset session';

const errorName = (e: unknown): string => (e instanceof Error ? e.name : '');

const badAuthMessage = (op: CognitoOp) => (op === 'refresh' ? BAD_REFRESH : op === 'reset' ? BAD_RESET : BAD_CREDENTIALS);

/** Cognito exceptions as the same coded errors the embedded routes answer with. */
export function mapCognitoError(e: unknown, op: CognitoOp): Error {
  const name = errorName(e);
  const message = e instanceof Error ? e.message : String(e);
  switch (name) {
    case 'UsernameExistsException':
    case 'AliasExistsException':
      return errors.conflict('An account with this email already exists');
    case 'InvalidPasswordException':
      return errors.validation(`password refused: ${message}`, { field: 'password' });
    case 'InvalidParameterException':
      return op === 'signup' ? errors.validation(message) : errors.unauthorized(badAuthMessage(op));
    case 'ResourceNotFoundException':
      // An unknown challenge session (moto's answer; Cognito's is NotAuthorizedException). Elsewhere: a wrong pool or client.
      return op === 'reset' ? errors.unauthorized(BAD_RESET) : Object.assign(errors.upstream(`Cognito ${op} failed: ${name}`), { cause: e });
    case 'NotAuthorizedException':
    case 'UserNotFoundException':
    case 'UserNotConfirmedException':
    case 'PasswordResetRequiredException':
    case 'CodeMismatchException':
    case 'ExpiredCodeException':
      return errors.unauthorized(badAuthMessage(op));
    case 'TooManyRequestsException':
    case 'TooManyFailedAttemptsException':
    case 'LimitExceededException':
      return errors.rateLimited('Too many sign-in requests; try again shortly', 30);
    default:
      return Object.assign(errors.upstream(`Cognito ${op} failed: ${name || message}`), { cause: e });
  }
}
