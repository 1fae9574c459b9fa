// `tsx scripts/build-fast-path.ts`: bundles lib/gate/fast-path.ts for Node with esbuild into
// <build folder>/fast-path/link.mjs, which server.mjs loads to answer unpaid link requests before Next.
import { rmSync } from 'node:fs'
import path from 'node:path'
import * as esbuild from 'esbuild'
import { distDir, rootDir } from './app'

/** Where server.mjs finds the bundle, relative to the build folder. */
export const fastPathFile = path.join('fast-path', 'link.mjs')

export async function buildFastPath(outFile: string = path.join(distDir(), fastPathFile)): Promise<void> {
  rmSync(path.dirname(outFile), { recursive: true, force: true })
  await esbuild.build({
    absWorkingDir: rootDir,
    entryPoints: ['lib/gate/fast-path.ts'],
    outfile: outFile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: ['node20'],
    // Packages Next keeps external too (WASM and native files), loaded from node_modules: one copy per process.
    external: ['@electric-sql/pglite', 'pg', 'solc'],
    // Bundled CommonJS dependencies call require(); give the ES module one.
    banner: { js: "import { createRequire as __tollgateRequire } from 'node:module'; const require = __tollgateRequire(import.meta.url);" },
    // Its own gate, apart from the route handlers' (lib/gate/runtime.ts).
    define: { 'process.env.NODE_ENV': '"production"', 'process.env.TOLLGATE_MODULE_GRAPH': '"fast-path"' },
    logLevel: 'warning',
  })
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildFastPath()
  console.log(`Fast path bundle: ${path.relative(rootDir, path.join(distDir(), fastPathFile))}`)
}
