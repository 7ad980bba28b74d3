import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { errors } from '../../core/errors.js';
import type { User } from '../../core/model/types.js';
import type { Clock } from '../../core/ports/clock.js';
import type { AdoptedAccount, IdentityProvider, NewAccount, ProviderTokens } from '../../core/ports/identity-provider.js';
import type { PasswordHasher } from '../../core/ports/password-hasher.js';
import type { RefreshTokenRepo } from '../../core/ports/refresh-token-repo.js';
import type { TokenClaims, TokenService } from '../../core/ports/token-service.js';
import type { UserRepo } from '../../core/ports/user-repo.js';

export interface LocalIdentityDeps {
  /** Where the salted password hash lives (the profile's passwordHash). */
  users: UserRepo;
  hasher: PasswordHasher;
  tokens: TokenService;
  refreshTokens: RefreshTokenRepo;
  clock: Clock;
  refreshTokenTtlDays: number;
}

export const hashRefreshToken = (token: string): string => createHash('sha256').update(token).digest('hex');

const BAD_CREDENTIALS = 'Invalid email or password';
/** Not a hash of any password (the hasher refuses it as malformed): an adopted account awaiting a new one. */
export const RESET_REQUIRED = 'reset-required$';

/**
 * The embedded shape's identity provider: scrypt password hashes in the user table, HS256 JWTs,
 * and single-use refresh tokens stored as sha256 hashes, rotated on every refresh, with reuse
 * (a sign of theft) ending every session of the user.
 */
export class LocalIdentityProvider implements IdentityProvider {
  /** A well-formed hash of a random password: verifying against it costs as much as a real check. */
  private decoyHash: Promise<string> | null = null;

  constructor(private readonly deps: LocalIdentityDeps) {}

  async signUp(account: NewAccount): Promise<{ userId: string; passwordHash: string; tokens: ProviderTokens }> {
    const userId = randomUUID();
    const passwordHash = await this.deps.hasher.hash(account.password);
    const tokens = await this.issue({ id: userId, email: account.email, name: account.name, isAdmin: account.isAdmin });
    return { userId, passwordHash, tokens };
  }

  /**
   * A scrypt hash moves as it is (ScryptPasswordHasher reads N, r, p and the salt from the string).
   * Any other scheme cannot be verified here: the account gets a hash no password matches, so it
   * cannot sign in until an administrator sets a password again (there is no reset e-mail locally).
   */
  async adopt(account: AdoptedAccount): Promise<{ userId: string; passwordHash: string; passwordMoved: boolean }> {
    const moved = account.hashScheme === 'scrypt' && !!account.passwordHash?.startsWith('scrypt$');
    return { userId: randomUUID(), passwordHash: moved ? account.passwordHash! : RESET_REQUIRED, passwordMoved: moved };
  }

  async login(input: { email: string; password: string }): Promise<{ userId: string; tokens: ProviderTokens }> {
    const user = await this.deps.users.byEmail(input.email);
    if (!user) {
      // Spend the same time as a wrong password so response times don't reveal which emails exist.
      this.decoyHash ??= this.deps.hasher.hash(`decoy-${Math.random()}`);
      await this.deps.hasher.verify(input.password, await this.decoyHash);
      throw errors.unauthorized(BAD_CREDENTIALS);
    }
    if (!(await this.deps.hasher.verify(input.password, user.passwordHash))) throw errors.unauthorized(BAD_CREDENTIALS);
    return { userId: user.id, tokens: await this.issue(user) };
  }

  async refresh(refreshToken: string): Promise<{ userId: string; tokens: ProviderTokens }> {
    const result = await this.deps.refreshTokens.consume(hashRefreshToken(refreshToken), this.deps.clock.now().toISOString());
    if (result.status === 'reused') {
      // A rotated token came back: someone holds a copy. End every session of that user.
      await this.deps.refreshTokens.revokeAllForUser(result.userId);
      throw errors.unauthorized('Refresh token already used; please sign in again');
    }
    if (result.status !== 'ok') throw errors.unauthorized('Invalid or expired refresh token');
    const user = await this.deps.users.byId(result.userId);
    if (!user) throw errors.unauthorized('Invalid or expired refresh token');
    return { userId: user.id, tokens: await this.issue(user) };
  }

  async logout(refreshToken: string): Promise<void> {
    await this.deps.refreshTokens.revoke(hashRefreshToken(refreshToken));
  }

  /** No forced resets here (an adopted account without a scrypt hash waits for an administrator): no session is valid. */
  async completeReset(): Promise<{ userId: string; tokens: ProviderTokens }> {
    throw errors.unauthorized('Invalid or expired reset session: this deployment never asks for a password reset at sign-in');
  }

  /** The password hash goes with the profile (UserRepo.delete); here every refresh token of the user ends. */
  async deleteAccount(account: { userId: string }): Promise<void> {
    await this.deps.refreshTokens.revokeAllForUser(account.userId);
  }

  /** A valid signature is not enough: the user must still exist (a deleted account's tokens stop at once, as with Cognito). */
  async verify(token: string): Promise<TokenClaims> {
    const claims = await this.deps.tokens.verify(token);
    if (!(await this.deps.users.byId(claims.userId))) throw errors.unauthorized('Unknown user');
    return claims;
  }

  /** New access/id tokens plus a fresh single-use refresh token. */
  private async issue(user: Pick<User, 'id' | 'email' | 'name' | 'isAdmin'>): Promise<ProviderTokens> {
    const issued = await this.deps.tokens.issue(user);
    // 256 random bits: guessing is hopeless, so a plain sha256 is enough to store it.
    const refreshToken = randomBytes(32).toString('base64url');
    const now = this.deps.clock.now();
    await this.deps.refreshTokens.save({
      tokenHash: hashRefreshToken(refreshToken),
      userId: user.id,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.deps.refreshTokenTtlDays * 86_400_000).toISOString(),
    });
    return { idToken: issued.idToken, accessToken: issued.accessToken, refreshToken, expiresIn: issued.expiresIn };
  }
}
