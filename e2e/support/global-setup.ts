// Builds the app once before any spec starts its stack (each stack then only runs `next start`).
// Respects NEXT_DIST_DIR, so concurrent checkouts build side by side.
import { ensureBuild } from '@/scripts/app'

export default function globalSetup(): void {
  ensureBuild()
}
