// Failures of the rail itself (not of the payer's credential): the gate answers 503, not 402.
export { isRailUnavailable, RailUnavailableError } from '@/lib/rails/errors'
