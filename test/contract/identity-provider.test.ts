import { AdminSetUserPasswordCommand } from '@aws-sdk/client-cognito-identity-provider';
import { LocalIdentityProvider } from '../../src/adapters/embedded/local-identity-provider.js';
import { JoseTokenService } from '../../src/adapters/embedded/jose-token-service.js';
import { ScryptPasswordHasher } from '../../src/adapters/embedded/scrypt-password-hasher.js';
import { SqliteRefreshTokenRepo } from '../../src/adapters/embedded/sqlite-refresh-token-repo.js';
import { SqliteUserRepo } from '../../src/adapters/embedded/sqlite-user-repo.js';
import { CognitoIdentityProvider } from '../../src/adapters/aws/cognito-identity-provider.js';
import { systemClock } from '../../src/core/ports/clock.js';
import { motoSkip, startMoto } from '../helpers/aws-emulators.js';
import { createTestPool } from '../helpers/cognito-pool.js';
import { InMemoryUserRepo } from '../helpers/fakes.js';
import { identityProviderContract } from './identity-provider.contract.js';
import { tempDb } from './sqlite-temp.js';

identityProviderContract('LocalIdentityProvider (scrypt, jose, sqlite)', async () => {
  const t = tempDb();
  const users = new SqliteUserRepo(t.db);
  const identity = new LocalIdentityProvider({
    users,
    hasher: new ScryptPasswordHasher({ N: 1024 }),
    tokens: new JoseTokenService('c'.repeat(40), 600),
    refreshTokens: new SqliteRefreshTokenRepo(t.db),
    clock: systemClock,
    refreshTokenTtlDays: 30,
  });
  return { identity, users, logoutSkip: false, close: async () => t.cleanup() };
});

identityProviderContract(
  'CognitoIdentityProvider (moto)',
  async () => {
    const moto = await startMoto();
    const pool = await createTestPool(moto);
    // Profiles in memory: the DynamoDB UserRepo has its own contract suite.
    const users = new InMemoryUserRepo();
    const identity = new CognitoIdentityProvider({ client: pool.client, userPoolId: pool.userPoolId, clientId: pool.clientId, users, jwksUri: pool.jwksUri });
    return {
      identity,
      users,
      forceReset: async (email, temporaryPassword) => {
        await pool.client.send(new AdminSetUserPasswordCommand({ UserPoolId: pool.userPoolId, Username: email, Password: temporaryPassword, Permanent: false }));
      },
      deletedRefreshQuirk: "moto 5.2 answers a deleted user's refresh token with an HTML 500 (Cognito: NotAuthorizedException); refused either way",
      logoutSkip: 'moto 5.2 does not implement RevokeToken (cognito-identity-provider.test.ts checks the call on a mocked client)',
      close: async () => {
        pool.client.destroy();
        await moto.close();
      },
    };
  },
  motoSkip(),
);
