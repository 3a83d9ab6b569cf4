// Two ways to do nothing until told to stop.
import { nextSignal, sleep } from './common.ts';
import { int, parseFlags } from './flags.ts';

const SIGNAL_TEXT: Record<string, string> = { SIGINT: 'Interrupt', SIGTERM: 'Terminated' };

/** `agnhost pause`: prints "Paused"; exits 1 on SIGINT and 2 on SIGTERM, as upstream does, after --delay-shutdown seconds. */
export async function pause(argv: string[]): Promise<number> {
  const { flags } = parseFlags(argv, { 'delay-shutdown': int(0) });
  const signalled = nextSignal(['SIGINT', 'SIGTERM']);
  process.stdout.write('Paused\n');
  const signal = await signalled;
  const code = signal === 'SIGINT' ? 1 : 2;
  if (flags['delay-shutdown'] > 0) {
    process.stdout.write(`Sleeping ${flags['delay-shutdown']} seconds before exit ...`);
    await sleep(flags['delay-shutdown'] * 1000);
  }
  process.stdout.write(`exiting ${code}\n`);
  return code;
}

/** The `registry.k8s.io/pause` image's `/pause`: exits 0 on SIGINT or SIGTERM; `-v` prints a version. */
export async function pauseImage(argv: string[]): Promise<number> {
  if (argv.some((a) => a.toLowerCase() === '-v')) {
    process.stdout.write('pause.c skiff\n');
    return 0;
  }
  const signalled = nextSignal(['SIGINT', 'SIGTERM']);
  // Not an error: upstream warns too whenever pause is not PID 1.
  if (process.pid !== 1) process.stderr.write('Warning: pause should be the first process\n');
  const signal = await signalled;
  process.stderr.write(`Shutting down, got signal: ${SIGNAL_TEXT[signal]}\n`);
  return 0;
}
