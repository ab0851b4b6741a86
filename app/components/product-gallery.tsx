import { useEffect, useRef, useState, type KeyboardEvent, type MouseEvent } from "react";
import { ART_HEIGHT, ART_WIDTH, type ImageSizing } from "./product-card";

export interface GalleryImage {
  src: string;
  /** `srcset` and `sizes` of the large view, or null where nobody resizes images. */
  sizing: ImageSizing;
  /** The thumbnail's picture: a small version of `src` where images are resized. */
  thumb: string;
  alt: string;
}

/**
 * A product's pictures: a large view and a row of thumbnails.
 *
 * Without JavaScript it is plain HTML: the first picture large, and every thumbnail a link to
 * its full-size image. With JavaScript a thumbnail shows its picture in the large view instead,
 * the Previous/Next buttons step through them, and the arrow keys (Home/End too) move between
 * thumbnails; the shown one is marked `aria-current` and a live caption says which it is.
 */
export function ProductGallery({ images, label }: { images: GalleryImage[]; label: string }) {
  const [index, setIndex] = useState(0);
  const [enhanced, setEnhanced] = useState(false);
  const thumbs = useRef<Array<HTMLAnchorElement | null>>([]);
  useEffect(() => setEnhanced(true), []);

  const current = images[Math.min(index, images.length - 1)];
  if (!current) return null;
  const count = images.length;
  const wrap = (to: number) => (to + count) % count;

  const show = (to: number, focus = false) => {
    const next = wrap(to);
    setIndex(next);
    if (focus) thumbs.current[next]?.focus();
  };

  const onThumbClick = (event: MouseEvent<HTMLAnchorElement>, to: number) => {
    // Let a modified click (new tab, download) do what links do.
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || event.button !== 0) {
      return;
    }
    event.preventDefault();
    show(to);
  };

  const onThumbKeyDown = (event: KeyboardEvent<HTMLAnchorElement>, at: number) => {
    const to =
      event.key === "ArrowRight" || event.key === "ArrowDown"
        ? at + 1
        : event.key === "ArrowLeft" || event.key === "ArrowUp"
          ? at - 1
          : event.key === "Home"
            ? 0
            : event.key === "End"
              ? count - 1
              : null;
    if (to === null) return;
    event.preventDefault();
    show(to, true);
  };

  return (
    <section className="gallery" aria-label={label} data-testid="product-gallery">
      <figure className="gallery__stage">
        <a href={current.src} className="gallery__main-link">
          <img
            className="gallery__main"
            src={current.src}
            {...current.sizing}
            alt={current.alt}
            width={ART_WIDTH}
            height={ART_HEIGHT}
            decoding="async"
          />
        </a>
        {count > 1 && (
          <figcaption className="gallery__caption">
            <span aria-live="polite" aria-atomic="true">
              Image {index + 1} of {count}
            </span>
            {enhanced && (
              <span className="gallery__controls">
                <button
                  type="button"
                  className="button button--ghost gallery__step"
                  onClick={() => show(index - 1)}
                  aria-label="Previous image"
                >
                  ←
                </button>
                <button
                  type="button"
                  className="button button--ghost gallery__step"
                  onClick={() => show(index + 1)}
                  aria-label="Next image"
                >
                  →
                </button>
              </span>
            )}
          </figcaption>
        )}
      </figure>
      {count > 1 && (
        <ul className="gallery__thumbs" role="list" aria-label="All images">
          {images.map((image, at) => (
            <li key={image.src}>
              <a
                ref={(element) => {
                  thumbs.current[at] = element;
                }}
                href={image.src}
                className="gallery__thumb"
                aria-current={at === index ? "true" : undefined}
                onClick={(event) => onThumbClick(event, at)}
                onKeyDown={(event) => onThumbKeyDown(event, at)}
              >
                <img
                  src={image.thumb}
                  alt={image.alt}
                  width={ART_WIDTH}
                  height={ART_HEIGHT}
                  loading="lazy"
                  decoding="async"
                />
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
