// The container root: a tmpfs that gets a copy of a template (the host's top-level symlinks, empty mount points,
// the built-in image executables) and then, in one `mount --all --fstab`, a bind of every top-level directory
// and file of the host's `/` plus the pod's /etc files. Starting a container thus takes a handful of processes
// (fork+exec is what costs here), and nothing is ever written into the host's `/`.
import { copyFileSync, chmodSync, lstatSync, mkdirSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface HostRootLayout {
  dirs: string[];
  files: string[];
  symlinks: [name: string, target: string][];
}

/** The top level of a directory (the host's `/`), sorted. */
export function readRootLayout(root = '/'): HostRootLayout {
  const layout: HostRootLayout = { dirs: [], files: [], symlinks: [] };
  for (const name of readdirSync(root).sort()) {
    const path = join(root, name);
    let st;
    try {
      st = lstatSync(path);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) layout.symlinks.push([name, readlinkSync(path)]);
    else if (st.isDirectory()) layout.dirs.push(name);
    else if (st.isFile()) layout.files.push(name);
  }
  return layout;
}

/**
 * Writes the template: symlinks as on the host, an empty directory or file per mount point, and the shims
 * (in-container path → file) — a host entry of the same name is shadowed by the shim.
 */
export function writeRootTemplate(dir: string, options: { layout: HostRootLayout; shims: Record<string, string> }): void {
  const { layout, shims } = options;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const shimNames = new Set(Object.keys(shims).map((p) => p.replace(/^\//, '')));
  for (const [name, target] of layout.symlinks) if (!shimNames.has(name)) symlinkSync(target, join(dir, name));
  for (const name of layout.dirs) if (!shimNames.has(name)) mkdirSync(join(dir, name));
  for (const name of layout.files) if (!shimNames.has(name)) writeFileSync(join(dir, name), '');
  for (const [inContainer, file] of Object.entries(shims)) {
    const target = join(dir, inContainer.replace(/^\//, ''));
    copyFileSync(file, target);
    chmodSync(target, 0o755);
  }
}

/** fstab escapes spaces, tabs, newlines and backslashes as octal. */
function fstabPath(p: string): string {
  return p.replace(/[\\ \t\n]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

/**
 * The fstab `mount --all` runs inside the container's mount namespace: recursive binds of the host's
 * top-level directories, binds of its top-level files, then `extra` binds (source → path inside the root).
 */
export function renderRootFstab(layout: HostRootLayout, options: { root: string; shimNames?: string[]; extra?: [source: string, inRoot: string][]; hostRoot?: string }): string {
  const host = options.hostRoot ?? '/';
  const skip = new Set(options.shimNames ?? []);
  const lines: string[] = [];
  const line = (src: string, target: string, opts: string) => lines.push(`${fstabPath(src)} ${fstabPath(target)} none ${opts} 0 0`);
  for (const d of layout.dirs) if (!skip.has(d)) line(join(host, d), join(options.root, d), 'rbind');
  for (const f of layout.files) if (!skip.has(f)) line(join(host, f), join(options.root, f), 'bind');
  for (const [src, inRoot] of options.extra ?? []) line(src, join(options.root, inRoot), 'bind');
  return lines.join('\n') + '\n';
}
