// RFC 3339 date-time (§5.6): the format of `expires` and receipt `timestamp`.

const dateTime = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/

/** Milliseconds since the epoch for an RFC 3339 date-time, or undefined when it is not one. */
export function toEpochMs(value: string): number | undefined {
  const m = dateTime.exec(value)
  if (!m) return undefined
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined
  // second 60 is a leap second; Date folds it into the next minute, which is what we want.
  if (hour > 23 || minute > 59 || second > 60) return undefined
  let offsetMinutes = 0
  if (!m[8]) {
    const offsetHour = Number(m[10])
    const offsetMinute = Number(m[11])
    if (offsetHour > 23 || offsetMinute > 59) return undefined
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offsetHour * 60 + offsetMinute)
  }
  const fraction = m[7] ? Number(`0${m[7]}`) * 1000 : 0
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hour, minute, second, 0)
  return date.getTime() + fraction - offsetMinutes * 60_000
}

/** Whether `value` is an RFC 3339 date-time. */
export function isDateTime(value: string): boolean {
  return toEpochMs(value) !== undefined
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28
  return [4, 6, 9, 11].includes(month) ? 30 : 31
}
