import { useNavigation, useRevalidator } from "@remix-run/react";
import { useEffect, useId, useRef, useState } from "react";
import { uploadRevalidations } from "./revalidation-queue";
import {
  acceptAttribute,
  formatBytes,
  UPLOAD_RULES,
  type UploadKind,
} from "~/domain/catalog/upload-rules";

type UploadState =
  | { phase: "idle" }
  | { phase: "hashing"; fileName: string }
  | { phase: "uploading"; fileName: string; percent: number }
  | { phase: "stored"; fileName: string; sha256: string; size: number }
  | { phase: "error"; message: string };

interface UploadAnswer {
  ok?: boolean;
  error?: string;
  sha256?: string;
  size?: number;
  fileName?: string;
}

/** SHA-256 of the file in the browser, so R2 can verify what it stores; null where unavailable. */
async function sha256Hex(file: File): Promise<string | null> {
  if (!globalThis.crypto?.subtle) return null;
  const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

function send(
  url: string,
  file: File,
  sha256: string | null,
  onProgress: (percent: number) => void,
): Promise<{ status: number; answer: UploadAnswer | null }> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
    if (sha256) xhr.setRequestHeader("X-Content-SHA256", sha256);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(Math.round((event.loaded / event.total) * 100));
    };
    xhr.onload = () => {
      let answer: UploadAnswer | null = null;
      try {
        answer = JSON.parse(xhr.responseText) as UploadAnswer;
      } catch {
        answer = null;
      }
      resolve({ status: xhr.status, answer });
    };
    xhr.onerror = () => resolve({ status: 0, answer: null });
    xhr.onabort = () => resolve({ status: 0, answer: { error: "The upload was cancelled." } });
    xhr.send(file);
  });
}

/**
 * One upload control: pick a file, watch it stream to R2 (`xhr.upload.onprogress` drives the
 * bar), read the stored SHA-256. Errors show inline; the page's data reloads after a success.
 * It needs JavaScript (the body is the raw file, not a form), and says so without it.
 */
export function UploadWidget({
  productId,
  kind,
  label,
  description,
}: {
  productId: string;
  kind: UploadKind;
  label: string;
  description?: string;
}) {
  const id = useId();
  const rule = UPLOAD_RULES[kind];
  const revalidator = useRevalidator();
  const navigation = useNavigation();
  // Busy: a revalidation or a navigation is loading; a new revalidate() would abort it.
  const routerBusy = revalidator.state !== "idle" || navigation.state !== "idle";
  const busyNow = useRef(routerBusy);
  busyNow.current = routerBusy;
  const { revalidate } = revalidator;
  useEffect(() => uploadRevalidations.flush(routerBusy, revalidate), [routerBusy, revalidate]);
  const input = useRef<HTMLInputElement>(null);
  const [hydrated, setHydrated] = useState(false);
  const [state, setState] = useState<UploadState>({ phase: "idle" });
  useEffect(() => setHydrated(true), []);

  const busy = state.phase === "hashing" || state.phase === "uploading";

  async function upload(file: File) {
    if (file.size > rule.maxBytes) {
      setState({
        phase: "error",
        message: `${file.name} is ${formatBytes(file.size)}; the limit is ${formatBytes(rule.maxBytes)}.`,
      });
      return;
    }
    setState({ phase: "hashing", fileName: file.name });
    const sha256 = await sha256Hex(file).catch(() => null);
    setState({ phase: "uploading", fileName: file.name, percent: 0 });
    const url = `/admin/products/${productId}/uploads/${kind}?${new URLSearchParams({ name: file.name })}`;
    const { status, answer } = await send(url, file, sha256, (percent) =>
      setState({ phase: "uploading", fileName: file.name, percent }),
    );
    if (status === 200 && answer?.ok && answer.sha256) {
      setState({
        phase: "stored",
        fileName: answer.fileName ?? file.name,
        sha256: answer.sha256,
        size: answer.size ?? file.size,
      });
      if (input.current) input.current.value = "";
      uploadRevalidations.request(busyNow.current, revalidate);
      return;
    }
    setState({
      phase: "error",
      message:
        answer?.error ??
        (status === 0
          ? "The connection dropped during the upload. Try again."
          : `The upload failed (HTTP ${status}). Reload the page and try again.`),
    });
  }

  const percent = state.phase === "uploading" ? state.percent : state.phase === "stored" ? 100 : 0;
  return (
    <div className="upload-widget" data-upload-kind={kind}>
      <label htmlFor={`${id}-input`} className="upload-widget__label">
        {label}
      </label>
      <p id={`${id}-help`} className="field__description">
        {description ? `${description} ` : ""}
        {acceptAttribute(kind).replaceAll(",", ", ")} · up to {formatBytes(rule.maxBytes)}
      </p>
      <input
        ref={input}
        id={`${id}-input`}
        type="file"
        accept={acceptAttribute(kind)}
        disabled={!hydrated || busy}
        aria-describedby={`${id}-help ${id}-status`}
        onChange={(event) => {
          const file = event.currentTarget.files?.[0];
          if (file) void upload(file);
        }}
      />
      {!hydrated && (
        <p className="muted">Uploading needs JavaScript. Turn it on and reload the page.</p>
      )}
      <progress
        className="upload-widget__progress"
        max={100}
        value={percent}
        aria-label={`${label} upload progress`}
        hidden={state.phase === "idle" || state.phase === "error"}
      />
      <p
        id={`${id}-status`}
        className={state.phase === "error" ? "field__error" : "upload-widget__status"}
        aria-live="polite"
        role="status"
      >
        {state.phase === "hashing" && `Preparing ${state.fileName}…`}
        {state.phase === "uploading" && `Uploading ${state.fileName}: ${state.percent}%`}
        {state.phase === "stored" &&
          `Stored · ${formatBytes(state.size)} · sha256 ${state.sha256.slice(0, 16)}…`}
        {state.phase === "error" && state.message}
      </p>
    </div>
  );
}
