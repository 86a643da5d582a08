// A QR code drawn as SVG by qrcode-generator (no canvas, prints sharp).
import qrcode from 'qrcode-generator'

export function QrCode ({ value, label }: { value: string; label: string }) {
  const qr = qrcode(0, 'M')
  qr.addData(value)
  qr.make()
  return (
    <div
      class='qr'
      role='img'
      aria-label={label}
      dangerouslySetInnerHTML={{ __html: qr.createSvgTag({ cellSize: 5, margin: 2, scalable: true }) }}
    />
  )
}
