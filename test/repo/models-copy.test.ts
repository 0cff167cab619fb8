// models/ is a committed copy of the workspace's ../shared/models (models/README.md): the examples and
// tests read the copy, so a clone runs anywhere. Whenever the original is present, the copy must be
// byte-identical to it and complete (mobilenet_v2 aside), so the two never drift. Independently of the
// workspace, nothing outside bench/ may still read ../shared.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../host/paths.js';
import { MOBILENET_FILES, MODELS_DIR, WORKSPACE_MODELS } from '../shared.js';

/** Files under `root`, as paths relative to it with '/' separators, sorted. */
function filesUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(relative(root, path).split('\\').join('/'));
    }
  };
  walk(root);
  return out.sort();
}

/**
 * Files of the copy that are not data of the corpus: the copy's own NOTICE and README.md (rewritten
 * for the repository: sources, licences, model cards) stand beside the data, not for the original's.
 */
const COPY_DOCS = ['NOTICE', 'README.md'];
/** Left out of the copy for size (models/README.md); its tests skip with a notice when it is absent. */
const LEFT_OUT = (path: string) => path === 'README.md' || MOBILENET_FILES.includes(path) || path.startsWith('mobilenet_v2/') || path.startsWith('golden/mobilenet_v2/');

describe('models/ against ../shared/models', () => {
  const present = existsSync(WORKSPACE_MODELS);
  if (!present) console.warn(`models/ drift check skipped: ${WORKSPACE_MODELS} does not exist here (a clone outside the workspace)`);

  it.skipIf(!present)('every file of the copy is byte-identical to its counterpart', () => {
    const copy = filesUnder(MODELS_DIR).filter((f) => !COPY_DOCS.includes(f));
    expect(copy.length).toBeGreaterThan(400);
    const differ: string[] = [];
    const onlyInCopy: string[] = [];
    for (const f of copy) {
      const original = join(WORKSPACE_MODELS, f);
      if (!existsSync(original)) onlyInCopy.push(f);
      else if (!readFileSync(join(MODELS_DIR, f)).equals(readFileSync(original))) differ.push(f);
    }
    expect(differ, 'files that differ from ../shared/models (copy them again)').toEqual([]);
    expect(onlyInCopy, 'files in models/ that ../shared/models does not have').toEqual([]);
  });

  it.skipIf(!present)('every file of ../shared/models is in the copy, except mobilenet_v2', () => {
    const missing = filesUnder(WORKSPACE_MODELS).filter((f) => !LEFT_OUT(f) && !existsSync(join(MODELS_DIR, f)));
    expect(missing, 'files of ../shared/models missing from models/ (copy them, keeping the subpath)').toEqual([]);
  });
});

describe('the repository is self-contained', () => {
  it('no tracked file outside bench/ reads the models from ../shared', () => {
    // bench/ is being rewritten elsewhere and switches to MODELS_DIR at merge time. The only other
    // mentions allowed are the ones that look for the workspace's corpus on purpose (drift check,
    // mobilenet_v2) and prose saying what models/ is a copy of.
    const allowed = new Set([
      'test/shared.ts', // WORKSPACE_MODELS
      'test/repo/models-copy.test.ts',
      'kernels-c/test-native/golden.py', // WORKSPACE_MODELS, for mobilenet_v2 only
    ]);
    let tracked: string[];
    try {
      tracked = execFileSync('git', ['ls-files', '-z'], { cwd: PACKAGE_ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
    } catch (e) {
      throw new Error(`git ls-files failed in ${PACKAGE_ROOT} (this check needs a git checkout): ${(e as Error).message}`);
    }
    const offenders = tracked
      .filter((f) => !f.startsWith('bench/') && !f.startsWith('models/') && !allowed.has(f) && existsSync(join(PACKAGE_ROOT, f)))
      .filter((f) => /\.\.[/\\]+(\.\.[/\\]+)*shared[/\\]+models|['"]shared['"]\s*,\s*['"]models['"]/.test(readFileSync(join(PACKAGE_ROOT, f), 'latin1')));
    expect(offenders, 'files that still point at ../shared/models: use MODELS_DIR (host/paths.ts) or models/').toEqual([]);
  });
});
