/**
 * The licence notices of the npm packages bundled into a build. The published
 * package ships bundles (dist/ for the page, dist-cli/ for the command line)
 * that contain code of MIT, BSD and Apache packages; their licences ask that
 * the notices travel with the code, so each build writes a
 * THIRD_PARTY_LICENSES.txt beside its output.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, sep } from 'node:path';

/** The package folder (node_modules/<name> or node_modules/@scope/<name>) a bundled file comes from, or null. */
export function packageDirOf(file) {
  const path = file.replace(/^\0/, '').split('?')[0];
  const at = path.lastIndexOf(`node_modules${sep}`);
  if (at < 0) return null;
  const rest = path.slice(at + 'node_modules'.length + 1).split(sep);
  const take = rest[0].startsWith('@') ? 2 : 1;
  return join(path.slice(0, at), 'node_modules', ...rest.slice(0, take));
}

function licenceText(dir) {
  const name = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
  return name ? readFileSync(join(dir, name), 'utf8').trim() : null;
}

/** The notices file for the given package folders: name, version, licence and its text, sorted by name. */
export function thirdPartyNotices(packageDirs) {
  const seen = new Map();
  for (const dir of packageDirs) {
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
    if (pkg.name === 'codex-trace-viewer') continue;
    seen.set(`${pkg.name}@${pkg.version}`, { name: pkg.name, version: pkg.version, license: pkg.license ?? 'see below', text: licenceText(dir) });
  }
  const parts = [...seen.values()]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((p) => `${p.name} ${p.version} (${p.license})\n\n${p.text ?? `No licence file in the package; its package.json says ${p.license}.`}`);
  return `This build of codex-trace-viewer includes code from the following packages.\n\n${parts.join(`\n\n${'-'.repeat(72)}\n\n`)}\n`;
}
