import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as QRCode from 'qrcode'
import { renderToStaticMarkup } from 'react-dom/server'
import { QrCode, quietZone } from './QrCode'

type Rendered = { svg: string; extent: number; dark: Set<string> }

/** Renders the component and reads back which cells of its viewBox are painted dark. */
function render(url: string): Rendered {
  const html = renderToStaticMarkup(<QrCode url={url} />)
  const svg = /<svg[^>]*>/.exec(html)?.[0]
  assert.ok(svg, 'an <svg> element')
  const viewBox = /viewBox="0 0 (\d+) (\d+)"/.exec(svg)
  assert.ok(viewBox, 'a viewBox from the origin')
  assert.equal(viewBox[1], viewBox[2], 'a square symbol')
  const paths = [...html.matchAll(/<path d="([^"]*)" fill="#000"/g)]
  assert.equal(paths.length, 1, 'one dark path')
  const dark = new Set<string>()
  // Each subpath is one horizontal run: M<x> <y>h<n>v1h-<n>z
  const runs = paths[0]![1]!.split('z').filter(Boolean)
  for (const run of runs) {
    const m = /^M(\d+) (\d+)h(\d+)v1h-(\d+)$/.exec(run)
    assert.ok(m, `a run subpath, got ${run}`)
    const [x, y, n, back] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])]
    assert.equal(n, back, 'a run closes where it started')
    for (let i = 0; i < n; i++) {
      const cell = `${x + i},${y}`
      assert.ok(!dark.has(cell), `cell ${cell} painted once`)
      dark.add(cell)
    }
  }
  return { svg, extent: Number(viewBox[1]), dark }
}

const url = 'https://pay.example.com/l/abcdefghijkl'

describe('QrCode', () => {
  test('paints exactly the dark modules of QRCode.create (level M), shifted by the quiet zone', () => {
    for (const text of [url, 'http://127.0.0.1:41234/l/0123456789ab', `https://pay.example.com/l/${'x'.repeat(200)}`]) {
      const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' })
      const { extent, dark } = render(text)
      assert.equal(extent, modules.size + 2 * quietZone)
      let expected = 0
      for (let row = 0; row < modules.size; row++) {
        for (let col = 0; col < modules.size; col++) {
          const isDark = modules.get(row, col) === 1
          if (isDark) expected++
          assert.equal(dark.has(`${col + quietZone},${row + quietZone}`), isDark, `module (${row}, ${col}) of ${text}`)
        }
      }
      assert.equal(dark.size, expected)
    }
  })

  test('encodes at level M: the format bits read back as M with the mask QRCode.create chose', () => {
    const code = QRCode.create(url, { errorCorrectionLevel: 'M' })
    const { dark } = render(url)
    // Format information: row 8, columns 0-5, 7, 8 then column 8, rows 7, 5-0 (15 bits, MSB first), XOR 0x5412.
    const cells: Array<[number, number]> = [
      [0, 8],
      [1, 8],
      [2, 8],
      [3, 8],
      [4, 8],
      [5, 8],
      [7, 8],
      [8, 8],
      [8, 7],
      [8, 5],
      [8, 4],
      [8, 3],
      [8, 2],
      [8, 1],
      [8, 0],
    ]
    let bits = 0
    for (const [col, row] of cells) bits = (bits << 1) | (dark.has(`${col + quietZone},${row + quietZone}`) ? 1 : 0)
    const format = (bits ^ 0x5412) >> 10
    assert.equal(format >> 3, 0b00, 'error correction level M')
    assert.equal(format & 0b111, code.maskPattern)
  })

  test('has finder patterns in three corners and none in the fourth', () => {
    const { extent, dark } = render(url)
    const size = extent - 2 * quietZone
    const finderAt = (left: number, top: number): boolean => {
      for (let y = 0; y < 7; y++) {
        for (let x = 0; x < 7; x++) {
          const ring = x === 0 || x === 6 || y === 0 || y === 6
          const core = x >= 2 && x <= 4 && y >= 2 && y <= 4
          if (dark.has(`${left + quietZone + x},${top + quietZone + y}`) !== (ring || core)) return false
        }
      }
      return true
    }
    assert.ok(finderAt(0, 0), 'top left')
    assert.ok(finderAt(size - 7, 0), 'top right')
    assert.ok(finderAt(0, size - 7), 'bottom left')
    assert.ok(!finderAt(size - 7, size - 7), 'not bottom right')
  })

  test('leaves a light quiet zone of 4 modules on every side', () => {
    const { extent, dark } = render(url)
    assert.equal(quietZone, 4)
    for (const cell of dark) {
      const [x, y] = cell.split(',').map(Number) as [number, number]
      assert.ok(x >= quietZone && y >= quietZone && x < extent - quietZone && y < extent - quietZone, `dark cell ${cell} inside the symbol`)
    }
    const html = renderToStaticMarkup(<QrCode url={url} />)
    assert.match(html, new RegExp(`<rect width="${extent}" height="${extent}" fill="#fff"`), 'a light background under the whole viewBox')
  })

  test('is an accessible, crisp image naming the URL', () => {
    const { svg } = render(url)
    assert.match(svg, /role="img"/)
    assert.match(svg, new RegExp(`aria-label="QR code for ${url.replace(/[.]/g, '\\.')}"`))
    assert.match(svg, /shape-rendering="crispEdges"/)
  })

  test('a longer URL needs a larger symbol', () => {
    assert.ok(render(`https://pay.example.com/l/${'x'.repeat(200)}`).extent > render(url).extent)
  })
})
