// A face for a scale level, from a broad smile (mood 1) to a frown (mood 0), so the scale reads without words.
export function Face ({ mood }: { mood: number }) {
  // The mouth's control point moves from below (smile) to above (frown) its corners.
  const curve = 70 + (mood * 2 - 1) * 26
  const brow = mood < 0.3
  return (
    <svg class='face' viewBox='0 0 100 100' aria-hidden='true' focusable='false'>
      <circle cx='50' cy='50' r='46' fill='#fff' fill-opacity='0.92' />
      <circle cx='35' cy='40' r='6' fill='#1a1a1a' />
      <circle cx='65' cy='40' r='6' fill='#1a1a1a' />
      {brow && <path d='M25 28 L42 32 M75 28 L58 32' stroke='#1a1a1a' stroke-width='4' stroke-linecap='round' />}
      <path d={`M28 70 Q50 ${curve} 72 70`} fill='none' stroke='#1a1a1a' stroke-width='6' stroke-linecap='round' />
    </svg>
  )
}
