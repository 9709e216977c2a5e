import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

/** One `new XError("CODE", message)` in src/: where it is and the fixed words of its message. */
export interface ThrownMessage {
  code: string;
  file: string;
  line: number;
  /** Literal runs of the message (template text between `${…}`, split at line breaks), trimmed. */
  fragments: string[];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

const BREAK = "\u0000";

/** The literal text of a message expression: strings, templates and `+` concatenations of them. */
function literalRuns(node: ts.Node): string[] {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [node.text];
  if (ts.isTemplateExpression(node))
    return [node.head.text, ...node.templateSpans.flatMap((span) => [BREAK, span.literal.text])];
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken)
    return [...literalRuns(node.left), ...literalRuns(node.right)];
  if (ts.isParenthesizedExpression(node)) return literalRuns(node.expression);
  return [BREAK]; // a non-literal part: breaks a run, so "a" + x + "b" gives "a" and "b"
}

/** Runs worth checking: at least two words of ten or more characters, without edge punctuation. */
export function fragmentsOf(node: ts.Node): string[] {
  return literalRuns(node)
    .join("")
    .replaceAll("\n", BREAK)
    .split(BREAK)
    .map((run) => run.replace(/^[\s:;,.()"'`-]+|[\s:;,.()"'`-]+$/g, ""))
    .filter((run) => run.length >= 10 && run.includes(" "));
}

/** Classes that extend CcciError with a fixed code, e.g. KeycloakError -> KEYCLOAK_UNAVAILABLE. */
function fixedCodeClasses(files: ts.SourceFile[]): Map<string, string> {
  const codes = new Map<string, string>();
  const visit = (node: ts.Node, inClass?: string) => {
    if (ts.isClassDeclaration(node) && node.name) inClass = node.name.text;
    if (inClass && ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.SuperKeyword) {
      const [code] = node.arguments;
      if (code && ts.isStringLiteral(code)) codes.set(inClass, code.text);
    }
    ts.forEachChild(node, (child) => visit(child, inClass));
  };
  for (const file of files) visit(file);
  return codes;
}

/** Every error thrown with a code or by a fixed-code subclass, across the given source tree. */
export function thrownMessages(srcDir: string): ThrownMessage[] {
  const files = sourceFiles(srcDir).map((path) =>
    ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.ES2022, true),
  );
  const fixed = fixedCodeClasses(files);
  const found: ThrownMessage[] = [];
  for (const file of files) {
    const visit = (node: ts.Node) => {
      if (ts.isNewExpression(node) && ts.isIdentifier(node.expression)) {
        const name = node.expression.text;
        const [first, second] = node.arguments ?? [];
        const explicit = (name === "UserError" || name === "CcciError") && first && ts.isStringLiteral(first);
        const code = explicit ? (first as ts.StringLiteral).text : fixed.get(name);
        const message = explicit ? second : first;
        if (code && message) {
          const line = file.getLineAndCharacterOfPosition(node.getStart()).line + 1;
          found.push({ code, file: file.fileName, line, fragments: fragmentsOf(message) });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return found;
}

/** The `## \`CODE\`` sections of docs/errors.md, keyed by code. */
export function errorSections(markdown: string): Map<string, string> {
  const sections = new Map<string, string>();
  for (const part of markdown.split(/^## /m).slice(1)) {
    const heading = /^`([A-Z][A-Z0-9_]*)`/.exec(part);
    if (heading) sections.set(heading[1]!, part);
  }
  return sections;
}
