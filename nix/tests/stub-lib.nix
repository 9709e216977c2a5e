# A small stand-in for nixpkgs' `lib`, enough to evaluate this repository's Nix files without nixpkgs
# (no nixpkgs channel is reachable where CI runs). Each function mirrors nixpkgs' behaviour for the
# arguments used here; the option types carry a `check` so defaults and test values can be type-checked.
let
  inherit (builtins)
    attrNames
    concatMap
    filter
    isAttrs
    isBool
    isInt
    isList
    isString
    listToAttrs
    stringLength
    substring
    ;
  hasPrefix = prefix: s: substring 0 (stringLength prefix) s == prefix;
  filterAttrs =
    pred: set:
    listToAttrs (
      concatMap (name: if pred name set.${name} then [ { inherit name; value = set.${name}; } ] else [ ]) (
        attrNames set
      )
    );
  type = name: check: { inherit name check; };
  upper = [ "A" "B" "C" "D" "E" "F" "G" "H" "I" "J" "K" "L" "M" "N" "O" "P" "Q" "R" "S" "T" "U" "V" "W" "X" "Y" "Z" ];
  lower = [ "a" "b" "c" "d" "e" "f" "g" "h" "i" "j" "k" "l" "m" "n" "o" "p" "q" "r" "s" "t" "u" "v" "w" "x" "y" "z" ];
in
rec {
  inherit hasPrefix filterAttrs;
  fakeHash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  mkIf = condition: content: {
    _type = "if";
    inherit condition content;
  };
  mkDefault = content: {
    _type = "override";
    priority = 1000;
    inherit content;
  };
  getExe = pkg: "${pkg.outPath}/bin/${pkg.meta.mainProgram}";
  mkOption = attrs: attrs // { _type = "option"; };
  mkEnableOption = name: mkOption {
    type = types.bool;
    default = false;
    description = "Whether to enable ${name}.";
  };
  literalExpression = text: {
    _type = "literalExpression";
    inherit text;
  };
  types = {
    str = type "str" isString;
    int = type "int" isInt;
    bool = type "bool" isBool;
    port = type "port" (v: isInt v && v >= 0 && v <= 65535);
    package = type "package" (v: isAttrs v && v ? outPath);
    nullOr = t: type "nullOr ${t.name}" (v: v == null || t.check v);
    listOf = t: type "listOf ${t.name}" (v: isList v && builtins.all t.check v);
    attrsOf = t: type "attrsOf ${t.name}" (v: isAttrs v && builtins.all t.check (builtins.attrValues v));
    oneOf = ts: type "oneOf" (v: builtins.any (t: t.check v) ts);
    strMatching = re: type "strMatching ${re}" (v: isString v && builtins.match re v != null);
    enum = values: type "enum" (v: builtins.elem v values);
  };
  escapeRegex = builtins.replaceStrings [ "\\" "[" "]" "(" ")" "{" "}" "*" "+" "?" "." "^" "$" "|" ] [ "\\\\" "\\[" "\\]" "\\(" "\\)" "\\{" "\\}" "\\*" "\\+" "\\?" "\\." "\\^" "\\$" "\\|" ];
  optional = cond: value: if cond then [ value ] else [ ];
  optionalAttrs = cond: set: if cond then set else { };
  mapAttrs = builtins.mapAttrs;
  mapAttrsToList = f: set: map (name: f name set.${name}) (attrNames set);
  genAttrs = names: f: listToAttrs (map (name: { inherit name; value = f name; }) names);
  all = builtins.all;
  boolToString = b: if b then "true" else "false";
  toLower = builtins.replaceStrings upper lower;
  removePrefix = prefix: s: if hasPrefix prefix s then substring (stringLength prefix) (-1) s else s;
  splitString = sep: s: filter isString (builtins.split sep s);
  importJSON = path: builtins.fromJSON (builtins.readFile path);
  cleanSourceWith = { src, filter, name ? "source" }: { inherit src filter name; };
  licenses.agpl3Plus = "AGPL-3.0-or-later";
  platforms.linux = [ "x86_64-linux" "aarch64-linux" ];
}
