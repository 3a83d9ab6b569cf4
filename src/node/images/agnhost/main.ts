// Skiff's built-in `agnhost` image: `node main.ts <subcommand> [flags]`, compatible with the subcommands of
// registry.k8s.io/e2e-test-images/agnhost that service-networking tests use.
import { connect } from './connect.ts';
import { FlagError } from './flags.ts';
import { netexec } from './netexec.ts';
import { pause, pauseImage } from './pause.ts';
import { porter } from './porter.ts';
import { serveHostname } from './serve-hostname.ts';

type Command = (argv: string[]) => Promise<number>;

export const SUBCOMMANDS: Record<string, { run: Command; short: string }> = {
  connect: { run: connect, short: 'Attempts a TCP or UDP connection and returns useful errors' },
  netexec: { run: netexec, short: 'Creates HTTP(S) and UDP servers with various endpoints' },
  pause: { run: pause, short: 'Pauses the execution' },
  porter: { run: porter, short: 'Serves requested data on ports specified in ENV variables' },
  'serve-hostname': { run: serveHostname, short: 'Serves the hostname' },
};

/** Not an agnhost subcommand: what the `/pause` of the registry.k8s.io/pause image runs. */
export const PAUSE_IMAGE_SUBCOMMAND = 'skiff-pause-image';

export function usage(): string {
  const width = Math.max(...Object.keys(SUBCOMMANDS).map((n) => n.length));
  const lines = Object.entries(SUBCOMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.short}`);
  return `Usage:\n  agnhost [command]\n\nAvailable Commands:\n${lines.join('\n')}\n`;
}

/** Runs one subcommand and resolves with the process exit code. */
export async function runAgnhost(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return 0;
  }
  const run = name === PAUSE_IMAGE_SUBCOMMAND ? pauseImage : SUBCOMMANDS[name]?.run;
  if (!run) {
    process.stderr.write(`Error: unknown command ${JSON.stringify(name)} for "agnhost"\n${usage()}`);
    return 1;
  }
  try {
    return await run(rest);
  } catch (e) {
    if (!(e instanceof FlagError)) throw e;
    process.stderr.write(`Error: ${e.message}\nRun 'agnhost ${name} --help' for usage.\n`);
    return 1;
  }
}

if (import.meta.main) {
  runAgnhost(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`agnhost: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
