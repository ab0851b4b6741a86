/**
 * Long-form product text as paragraphs. React escapes every character, so seller-written
 * text can never inject markup; full Markdown rendering arrives with the product editor.
 */
export function TextBlocks({ text }: { text: string }) {
  const blocks = text
    .split(/\n{2,}/)
    .map((block) => block.trim())
    .filter(Boolean);
  return (
    <div className="prose">
      {blocks.map((block, index) =>
        block.startsWith("- ") ? (
          <ul key={index}>
            {block.split("\n").map((line, lineIndex) => (
              <li key={lineIndex}>{line.replace(/^- /, "")}</li>
            ))}
          </ul>
        ) : block.startsWith("#") ? (
          <h3 key={index}>{block.replace(/^#+\s*/, "")}</h3>
        ) : (
          <p key={index}>{block}</p>
        ),
      )}
    </div>
  );
}
