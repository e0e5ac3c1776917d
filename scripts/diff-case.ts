/** Developer aid: reduce one bundle and show how our state.json differs from the official one. */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { DirectorySource } from '../src/cli/directory-source';
import { reduceBundle } from '../src/trace/reducer';
import { serializeState } from '../src/trace/serialize';

for (const dir of process.argv.slice(2)) {
  const res = await reduceBundle(new DirectorySource(dir));
  const ours = res.state ? serializeState(res.state) : '';
  console.log(`== ${dir}: ours ${res.error ? 'ERROR ' + JSON.stringify(res.error) : 'ok'}`);
  const official = join(dir, 'state.json');
  if (!existsSync(official)) {
    console.log('   official: ' + (existsSync(join(dir, 'expected-error.txt')) ? readFileSync(join(dir, 'expected-error.txt'), 'utf8').split('\n')[0] : '?'));
    continue;
  }
  writeFileSync('/tmp/ours.json', ours);
  try {
    execFileSync('diff', ['-u', official, '/tmp/ours.json'], { stdio: 'pipe' });
    console.log('   identical');
  } catch (e) {
    console.log(
      String((e as { stdout: Buffer }).stdout)
        .split('\n')
        .slice(2, 40)
        .join('\n'),
    );
  }
}
