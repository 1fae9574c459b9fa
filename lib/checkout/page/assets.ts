// The checkout's browser bundle, built by scripts/build-checkout.ts into the Next build folder
// (beside Next's own output, so each build folder carries the bundle that matches it).
import { readFileSync } from 'node:fs'
import path from 'node:path'

/** The folder under the build folder, and the URL prefix the files are served from. */
export const assetsFolder = 'checkout-assets'
export const assetsPath = '/checkout-assets/'

export type AssetsManifest = {
  /** The entry module the page loads with `<script type="module">`. */
  script: string
  /** Chunks the entry imports statically: preloaded so they download in parallel. */
  preload: string[]
  stylesheets: string[]
  /** Every file that may be served, with its content type. */
  files: Record<string, string>
}

export class AssetsMissingError extends Error {
  override name = 'AssetsMissingError'
}

/** Where the bundle of the build this server runs lives (next start runs from the project root). */
export function assetsDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(process.cwd(), env.NEXT_DIST_DIR || '.next', assetsFolder)
}

let cached: AssetsManifest | null = null

export function readAssetsManifest(): AssetsManifest {
  if (cached) return cached
  let text: string
  try {
    text = readFileSync(path.join(assetsDir(), 'manifest.json'), 'utf8')
  } catch {
    throw new AssetsMissingError('The checkout bundle is not built: run `npm run build` (next build, then scripts/build-checkout.ts).')
  }
  cached = JSON.parse(text) as AssetsManifest
  return cached
}

/** The manifest, or the 503 a payer page answers when the server was started without the bundle. */
export function assetsOrUnavailable(): AssetsManifest | Response {
  try {
    return readAssetsManifest()
  } catch (error) {
    if (!(error instanceof AssetsMissingError)) throw error
    return new Response(`${error.message}\n`, {
      status: 503,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
    })
  }
}
