// The terminal's first screen (placeholder until the terminal issue lands).
export function Idle () {
  return (
    <main>
      <h1>Hài Lòng</h1>
      <p>Quầy đánh giá mức độ hài lòng</p>
    </main>
  )
}
