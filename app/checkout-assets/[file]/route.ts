// Serves the checkout's bundle (scripts/build-checkout.ts) from the build folder. Names carry a
// content hash, so a file never changes and browsers may keep it for a year.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { AssetsMissingError, assetsDir, readAssetsManifest } from '@/lib/checkout/page/assets'

export const dynamic = 'force-dynamic'

export async function GET(_request: Request, context: { params: Promise<{ file: string }> }): Promise<Response> {
  const { file } = await context.params
  let contentType: string | undefined
  try {
    const { files } = readAssetsManifest()
    contentType = Object.hasOwn(files, file) ? files[file] : undefined
  } catch (error) {
    if (!(error instanceof AssetsMissingError)) throw error
  }
  // Only names the manifest lists are read, so no request can reach another file.
  if (!contentType) return new Response('Not found\n', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } })
  const body = await readFile(path.join(assetsDir(), file))
  return new Response(body, {
    headers: {
      'content-type': contentType,
      'cache-control': 'public, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
    },
  })
}
