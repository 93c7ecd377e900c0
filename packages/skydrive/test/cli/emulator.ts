// Start the built emulator in-process for CLI tests and sign in as its demo user.
import { startEmulator } from 'skydrive-emulator';

export interface TestEmulator {
  graphUrl: string;
  token: string;
  close(): Promise<void>;
}

export async function startTestEmulator(): Promise<TestEmulator> {
  const emulator = await startEmulator({ port: 0 });
  try {
    const response = await fetch(`${emulator.url}/common/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: 'skydrive-cli-tests',
        username: 'demo',
        password: 'demo',
        scope: 'Files.ReadWrite.All offline_access User.Read',
      }),
    });
    const body = (await response.json()) as { access_token?: string };
    if (typeof body.access_token !== 'string') {
      throw new Error(`token endpoint returned ${response.status} without an access_token`);
    }
    return { graphUrl: emulator.graphUrl, token: body.access_token, close: () => emulator.close() };
  } catch (error) {
    await emulator.close();
    throw error;
  }
}

/** Fetch a raw token response body, for `auth import` tests. */
export async function fetchTokenResponse(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/common/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: 'skydrive-cli-tests',
      username: 'demo',
      password: 'demo',
      scope: 'Files.ReadWrite.All offline_access User.Read',
    }),
  });
  return response.text();
}
