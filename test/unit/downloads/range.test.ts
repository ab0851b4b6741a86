import { describe, expect, it } from "vitest";
import { contentRange, ifRangeHolds, noneMatch, parseRange } from "~/domain/downloads/range";

describe("parseRange", () => {
  const size = 300;
  it.each([
    ["bytes=0-99", { offset: 0, length: 100 }],
    ["bytes=100-", { offset: 100, length: 200 }],
    ["bytes=-10", { offset: 290, length: 10 }],
    ["bytes=250-999", { offset: 250, length: 50 }],
    ["bytes=-1000", { offset: 0, length: 300 }],
    [" bytes = 5 - 9 ", { offset: 5, length: 5 }],
  ])("serves %s as one part", (header, range) => {
    expect(parseRange(header, size)).toEqual({ kind: "partial", range });
  });

  it.each(["bytes=300-", "bytes=500-600", "bytes=-0"])("refuses %s as unsatisfiable", (header) => {
    expect(parseRange(header, size)).toEqual({ kind: "unsatisfiable" });
  });

  it.each([null, "bytes=0-9,20-29", "items=0-9", "bytes=9-0", "bytes=-", "bytes=a-b"])(
    "answers %s with the whole file",
    (header) => {
      expect(parseRange(header, size)).toEqual({ kind: "full" });
    },
  );

  it("writes Content-Range", () => {
    expect(contentRange({ offset: 100, length: 200 }, 300)).toBe("bytes 100-299/300");
  });
});

describe("conditional requests", () => {
  const etag = '"abc"';
  const uploaded = new Date("2031-01-01T00:00:00.500Z");

  it("matches If-None-Match weakly, in lists and with *", () => {
    expect(noneMatch('"abc"', etag)).toBe(true);
    expect(noneMatch('W/"abc"', etag)).toBe(true);
    expect(noneMatch('"x", "abc"', etag)).toBe(true);
    expect(noneMatch("*", etag)).toBe(true);
    expect(noneMatch('"x"', etag)).toBe(false);
    expect(noneMatch(null, etag)).toBe(false);
  });

  it("applies Range under If-Range only while the copy is current", () => {
    expect(ifRangeHolds(null, etag, uploaded)).toBe(true);
    expect(ifRangeHolds('"abc"', etag, uploaded)).toBe(true);
    expect(ifRangeHolds('"old"', etag, uploaded)).toBe(false);
    expect(ifRangeHolds('W/"abc"', etag, uploaded)).toBe(false);
    expect(ifRangeHolds(uploaded.toUTCString(), etag, uploaded)).toBe(true);
    expect(ifRangeHolds("Wed, 01 Jan 2020 00:00:00 GMT", etag, uploaded)).toBe(false);
    expect(ifRangeHolds("garbage", etag, uploaded)).toBe(false);
  });
});
