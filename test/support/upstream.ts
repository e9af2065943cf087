import { randomBytes } from 'node:crypto';
import { RunningSimulator, SimulatorOptions, startSimulator } from '../../src/simulator/simulator';
import { startTestApp, TestApp } from './test-app';

export const SIM_CLIENT_KEY = 'companion-e2e';
export const SIM_CLIENT_SECRET = `e2e-secret-${randomBytes(12).toString('hex')}`;

export interface AppWithUpstream {
  t: TestApp;
  sim: RunningSimulator;
  close(): Promise<void>;
}

/** A simulator on a random port and the app pointed at it (fast timeouts, quick circuit recovery). */
export async function startAppWithSimulator(
  env: Record<string, string> = {},
  simulator: Partial<SimulatorOptions> = {},
): Promise<AppWithUpstream> {
  const sim = await startSimulator({ port: 0, clientKey: SIM_CLIENT_KEY, clientSecret: SIM_CLIENT_SECRET, ...simulator });
  const t = await startTestApp({
    OPIGNO_BASE_URL: sim.url,
    OPIGNO_CLIENT_KEY: SIM_CLIENT_KEY,
    OPIGNO_CLIENT_SECRET: SIM_CLIENT_SECRET,
    OPIGNO_TIMEOUT_MS: '1000',
    OPIGNO_RETRIES: '1',
    OPIGNO_CIRCUIT_RESET_MS: '500',
    ...env,
  });
  return {
    t,
    sim,
    close: async () => {
      await t.close();
      await sim.close();
    },
  };
}
