// How a container process is started: the argv and environment of its wrapper. Pure.
//
//   sh -c WRAPPER  [nsenter --net=/run/netns/<pod> --]  unshare --mount [--uts] --propagation private --
//     sh -c SETUP  K=V… command args…
//
// WRAPPER moves itself into the container's cgroup (so everything below is tracked and `cgroup.kill` ends it),
// runs the rest and records the exit status in a file: the status survives an agent restart.
// SETUP, in the container's private mount (and UTS) namespace, builds the root (see rootfs.ts): a tmpfs, the
// template copied in, one `mount --all` of the fstab binding the host's top-level entries and the pod's /etc
// files; sets the hostname, records its pid (the container's main pid: everything after it execs in place),
// then chroots and execs the command with exactly the container's environment in its working directory.
// Nothing is written into the host's `/`.

export const WRAPPER = [
  'echo 0 > "$SKIFF_CGROUP/cgroup.procs" || exit 125',
  '"$@"',
  'echo $? > "$SKIFF_EXIT"',
].join('\n');

export const SETUP = `set -eu
mount -t tmpfs -o mode=0755,size=64m skiff-root "$SKIFF_ROOT"
cp -a "$SKIFF_TEMPLATE/." "$SKIFF_ROOT/"
mount --all --fstab "$SKIFF_FSTAB"
# Other pods' netns files must not be pinned by this mount namespace.
umount -l "$SKIFF_ROOT/run/netns" 2>/dev/null || true
if [ -n "\${SKIFF_HOSTNAME:-}" ]; then hostname "$SKIFF_HOSTNAME"; fi
echo $$ > "$SKIFF_PIDFILE"
exec chroot "$SKIFF_ROOT" /usr/bin/env -i -C "$SKIFF_WORKDIR" -- "$@"
`;

export interface LaunchPlan {
  argv: string[];
  env: [string, string][];
  workingDir: string;
  /** The pod's netns name; undefined runs in the agent's own netns (hostNetwork). */
  netns?: string;
  /** Set to give the container its own UTS namespace with this hostname. */
  hostname?: string;
  /** The root template directory (rootfs.ts). */
  templateDir: string;
  /** The fstab of binds into the root (rootfs.ts). */
  fstab: string;
  cgroupDir: string;
  rootDir: string;
  pidFile: string;
  exitFile: string;
}

export function launchArgv(plan: LaunchPlan): { argv: string[]; env: Record<string, string> } {
  if (plan.argv.length === 0) throw new TypeError('a container needs a command');
  for (const [k] of plan.env) if (k === '' || k.includes('=')) throw new TypeError(`bad environment variable name ${JSON.stringify(k)}`);
  const argv = ['/bin/sh', '-c', WRAPPER, 'skiff-container'];
  if (plan.netns !== undefined) argv.push('nsenter', `--net=/run/netns/${plan.netns}`, '--');
  argv.push('unshare', '--mount');
  if (plan.hostname !== undefined) argv.push('--uts');
  argv.push('--propagation', 'private', '--', '/bin/sh', '-c', SETUP, 'skiff-setup');
  argv.push(...plan.env.map(([k, v]) => `${k}=${v}`), ...plan.argv);
  const env: Record<string, string> = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    SKIFF_CGROUP: plan.cgroupDir,
    SKIFF_EXIT: plan.exitFile,
    SKIFF_ROOT: plan.rootDir,
    SKIFF_PIDFILE: plan.pidFile,
    SKIFF_WORKDIR: plan.workingDir || '/',
    SKIFF_TEMPLATE: plan.templateDir,
    SKIFF_FSTAB: plan.fstab,
  };
  if (plan.hostname !== undefined) env.SKIFF_HOSTNAME = plan.hostname;
  return { argv, env };
}

/**
 * `kubectl exec`: a process in the running container's namespaces, root and working directory, with the
 * container's environment, inside its cgroup. With `isTty` the command runs under a pseudo-terminal made by
 * util-linux `script` (inside the container's namespaces; its exit status is the command's), with `TERM=xterm`
 * unless the container sets TERM.
 */
export function execArgv(options: { pid: number; cgroupDir: string; env: [string, string][]; argv: string[]; hasUts: boolean; isTty?: boolean }): { argv: string[]; env: Record<string, string> } {
  const ns = ['--mount', '--net', ...(options.hasUts ? ['--uts'] : [])];
  const vars = options.env.map(([k, v]) => `${k}=${v}`);
  if (options.isTty && !options.env.some(([k]) => k === 'TERM')) vars.push('TERM=xterm');
  const command = ['/usr/bin/env', '-i', '--', ...vars, ...options.argv];
  const env: Record<string, string> = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', SKIFF_CGROUP: options.cgroupDir };
  if (options.isTty) env.SHELL = '/bin/sh'; // what `script` runs the quoted command with
  return {
    argv: ['/bin/sh', '-c', 'echo 0 > "$SKIFF_CGROUP/cgroup.procs" || exit 125; exec "$@"', 'skiff-exec', 'nsenter', `--target=${options.pid}`, ...ns, '--root', '--wd', '--',
      ...(options.isTty ? ['/usr/bin/script', '-qfec', shellQuote(command), '/dev/null'] : command)],
    env,
  };
}

/** One POSIX shell word per argument, in single quotes. */
export function shellQuote(argv: string[]): string {
  return argv.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(' ');
}
