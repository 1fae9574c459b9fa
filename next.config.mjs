/** @type {import('next').NextConfig} */
const nextConfig = {
  // PGlite ships WASM + data files that must be loaded from node_modules, not bundled.
  serverExternalPackages: ['@electric-sql/pglite', 'pg', 'solc'],
  poweredByHeader: false,
  // Separate build folders let several checkouts or test runs build side by side.
  distDir: process.env.NEXT_DIST_DIR || '.next',
  reactStrictMode: true,
  // `npm test` type-checks the whole project (tests and scripts too); the build need not repeat it.
  typescript: { ignoreBuildErrors: true },
  experimental: {
    // A request the proxy runs for (paths with "%", the merchant pages) has its body buffered by Next up to
    // this size, whether or not anything reads it; no such route takes more than the dashboard's 2 MB of JSON.
    proxyClientMaxBodySize: 2 * 1024 * 1024,
  },
}

export default nextConfig
