// The dashboard's first screen (placeholder until the dashboard issue lands).
export function Overview () {
  return (
    <main>
      <h1>Hài Lòng</h1>
      <p>Bảng điều khiển mức độ hài lòng của người dân</p>
    </main>
  )
}
