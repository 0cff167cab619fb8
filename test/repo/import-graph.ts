/**
 * The import graph of TypeScript sources, read with the TypeScript compiler's own pre-processor (static
 * imports, `export … from`, `import type`, dynamic `import()` with a literal), and its cycles. Relative
 * specifiers resolve as the sources write them: `./x.js` is `./x.ts` (or `./x/index.ts`); package
 * imports are not followed.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** Every .ts file (not .d.ts) under `dirs`, absolute paths. */
export function sourceFiles(dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
    }
  };
  dirs.forEach((d) => walk(resolve(d)));
  return out;
}

function resolveSpecifier(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(from), spec);
  const candidates = [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? null;
}

/** file -> the files it imports (among relative imports that resolve to a .ts file). */
export function importGraph(files: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = info.importedFiles.map((f) => resolveSpecifier(file, f.fileName)).filter((t): t is string => t !== null);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/**
 * The import cycles: each strongly connected component of more than one file (or a file importing
 * itself), as one cycle through it, paths relative to `root`.
 */
export function importCycles(graph: Map<string, string[]>, root: string): string[][] {
  // Tarjan's strongly connected components.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) components.push(component);
    }
  };
  [...graph.keys()].sort().forEach((v) => index.has(v) || visit(v));
  // One concrete cycle per component, for the message: walk inside it until a file repeats.
  return components.map((component) => {
    const inside = new Set(component);
    const start = [...component].sort()[0];
    const path = [start];
    const seen = new Set([start]);
    for (;;) {
      const next = (graph.get(path[path.length - 1]) ?? []).filter((w) => inside.has(w)).sort()[0];
      if (seen.has(next)) {
        path.splice(0, path.indexOf(next));
        path.push(next);
        break;
      }
      path.push(next);
      seen.add(next);
    }
    return path.map((p) => relative(root, p));
  });
}
