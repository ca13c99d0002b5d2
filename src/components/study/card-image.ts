/** Size of the study cards' picture (/og/cards/<study>.webp): half the 1200x630 Open Graph image. */
export const CARD_IMAGE = { width: 640, height: 336 } as const;
