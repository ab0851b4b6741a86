import { describe, expect, it } from "vitest";
import {
  answerFileRequest,
  contentRange,
  ifRangeHolds,
  parseRange,
} from "~/domain/downloads/range";

describe("parseRange", () => {
  const size = 300;
  it.each([
    ["bytes=0-99", { offset: 0, length: 100 }],
    ["bytes=100-", { offset: 100, length: 200 }],
    ["bytes=-10", { offset: 290, length: 10 }],
    ["bytes=250-999", { offset: 250, length: 50 }],
    ["bytes=-1000", { offset: 0, length: 300 }],
    [" bytes = 5 - 9 ", { offset: 5, length: 5 }],
    // A last position too large for a number still means "to the end" (issue: answered 200).
    ["bytes=60-99999999999999999999", { offset: 60, length: 240 }],
    ["bytes=-99999999999999999999", { offset: 0, length: 300 }],
  ])("serves %s as one part", (header, range) => {
    expect(parseRange(header, size)).toEqual({ kind: "partial", range });
  });

  it.each(["bytes=300-", "bytes=500-600", "bytes=-0", "bytes=99999999999999999999-"])(
    "refuses %s as unsatisfiable",
    (header) => {
      expect(parseRange(header, size)).toEqual({ kind: "unsatisfiable" });
    },
  );

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

describe("answerFileRequest", () => {
  const file = { etag: '"abc"', uploaded: new Date("2031-01-01T00:00:00Z"), size: 300 };
  const ask = (conditions: Partial<Record<"range" | "ifNoneMatch" | "ifRange", string>>) =>
    answerFileRequest({ range: null, ifNoneMatch: null, ifRange: null, ...conditions }, file);

  it("sends nothing for a current copy (If-None-Match, weakly, before any Range)", () => {
    expect(ask({ ifNoneMatch: 'W/"abc"', range: "bytes=0-9" })).toEqual({ kind: "not-modified" });
    expect(ask({ ifNoneMatch: '"x", "abc"' })).toEqual({ kind: "not-modified" });
    expect(ask({ ifNoneMatch: '"x"' })).toEqual({ kind: "bytes", range: null, length: 300 });
  });

  it("sends one range, the whole file, or nothing for a range past the end", () => {
    expect(ask({ range: "bytes=10-19" })).toEqual({
      kind: "bytes",
      range: { offset: 10, length: 10 },
      length: 10,
    });
    expect(ask({ range: "bytes=500-" })).toEqual({ kind: "unsatisfiable" });
    expect(ask({ range: "bytes=0-9", ifRange: '"old"' })).toEqual({
      kind: "bytes",
      range: null,
      length: 300,
    });
  });
});
