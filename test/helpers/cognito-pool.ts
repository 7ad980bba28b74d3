import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  type PasswordPolicyType,
} from '@aws-sdk/client-cognito-identity-provider';
import { clientConfig } from '../../src/adapters/aws/aws-client-config.js';
import type { MotoServer } from './aws-emulators.js';

export interface TestPool {
  client: CognitoIdentityProviderClient;
  userPoolId: string;
  clientId: string;
  /** Where moto serves the pool's signing keys. */
  jwksUri: string;
}

/**
 * A user pool shaped like the SAM template's: email is the username, an app client without a
 * secret allowing USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH.
 */
export async function createTestPool(moto: MotoServer, passwordPolicy: Partial<PasswordPolicyType> = {}): Promise<TestPool> {
  const client = new CognitoIdentityProviderClient(clientConfig(moto.settings, 'cognito'));
  const pool = await client.send(
    new CreateUserPoolCommand({
      PoolName: `manuel-${Date.now()}`,
      UsernameAttributes: ['email'],
      UsernameConfiguration: { CaseSensitive: false },
      Policies: {
        PasswordPolicy: { MinimumLength: 8, RequireLowercase: false, RequireUppercase: false, RequireNumbers: false, RequireSymbols: false, ...passwordPolicy },
      },
    }),
  );
  const userPoolId = pool.UserPool!.Id!;
  const app = await client.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: 'manuel-api',
      GenerateSecret: false,
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      EnableTokenRevocation: true,
      PreventUserExistenceErrors: 'ENABLED',
    }),
  );
  return { client, userPoolId, clientId: app.UserPoolClient!.ClientId!, jwksUri: `${moto.endpoint}/${userPoolId}/.well-known/jwks.json` };
}
