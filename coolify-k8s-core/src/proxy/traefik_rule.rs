//! Traefik router rules (`Host(\`a\`) && PathPrefix(\`/p\`) || Host(\`b\`)`), read into a
//! disjunction of alternatives that each name hosts and at most one path: the shape a
//! Kubernetes route can express.

use super::route::PathMatch;

/// One alternative of a rule: all of its conditions must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Alternative {
    /// Hosts matched (any of them); empty means any host.
    pub hosts: Vec<String>,
    /// The path condition, when there is one.
    pub path: Option<(String, PathMatch)>,
    /// Conditions that a Kubernetes route cannot express (`Header(…)`, `!…`, `Method(…)`),
    /// as written; the caller reports them.
    pub unsupported: Vec<String>,
}

/// Parse a rule into its alternatives (disjunctive normal form).
///
/// ```
/// use coolify_k8s_core::proxy::traefik_rule::parse;
/// let alts = parse("Host(`a.io`) && PathPrefix(`/api`) || Host(`b.io`)").unwrap();
/// assert_eq!(alts.len(), 2);
/// assert_eq!(alts[0].hosts, vec!["a.io"]);
/// assert_eq!(alts[0].path.as_ref().unwrap().0, "/api");
/// assert_eq!(alts[1].hosts, vec!["b.io"]);
/// ```
pub fn parse(rule: &str) -> Result<Vec<Alternative>, String> {
    let tokens = tokenize(rule)?;
    let mut p = Parser {
        tokens,
        pos: 0,
        depth: 0,
    };
    let alts = p.or()?;
    if p.pos != p.tokens.len() {
        return Err(format!(
            "unexpected text at token {} of the rule",
            p.pos + 1
        ));
    }
    Ok(alts)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Ident(String),
    Str(String),
    LParen,
    RParen,
    Comma,
    And,
    Or,
    Not,
}

fn tokenize(s: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            ' ' | '\t' | '\n' | '\r' => {
                chars.next();
            }
            '(' => {
                chars.next();
                out.push(Token::LParen);
            }
            ')' => {
                chars.next();
                out.push(Token::RParen);
            }
            ',' => {
                chars.next();
                out.push(Token::Comma);
            }
            '!' => {
                chars.next();
                out.push(Token::Not);
            }
            '&' | '|' => {
                chars.next();
                if chars.next() != Some(c) {
                    return Err(format!("expected `{c}{c}`"));
                }
                out.push(if c == '&' { Token::And } else { Token::Or });
            }
            '`' | '"' | '\'' => {
                chars.next();
                let mut v = String::new();
                loop {
                    match chars.next() {
                        Some(q) if q == c => break,
                        Some(x) => v.push(x),
                        None => return Err("unterminated string".to_string()),
                    }
                }
                out.push(Token::Str(v));
            }
            c if c.is_ascii_alphanumeric() || c == '_' => {
                let mut v = String::new();
                while let Some(&x) = chars.peek() {
                    if x.is_ascii_alphanumeric() || x == '_' {
                        v.push(x);
                        chars.next();
                    } else {
                        break;
                    }
                }
                out.push(Token::Ident(v));
            }
            other => return Err(format!("unexpected character {other:?}")),
        }
    }
    Ok(out)
}

/// How deep `(` and `!` may nest: the parser recurses once per level, and a label value of
/// thousands of `(` would overflow the stack (a crash of the PHP worker, not an error).
/// Coolify's rules nest one or two levels.
const MAX_DEPTH: usize = 32;

/// How many alternatives a rule may expand to: `&&` distributes over `||`, so `(a || b) &&
/// (c || d) && …` doubles them with every term; each becomes a route rule.
const MAX_ALTERNATIVES: usize = 64;

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    /// Current nesting of `(` and `!`.
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn or(&mut self) -> Result<Vec<Alternative>, String> {
        let mut alts = self.and()?;
        while self.peek() == Some(&Token::Or) {
            self.pos += 1;
            alts.extend(self.and()?);
            check_alternatives(alts.len())?;
        }
        Ok(alts)
    }

    fn and(&mut self) -> Result<Vec<Alternative>, String> {
        let mut alts = self.unary()?;
        while self.peek() == Some(&Token::And) {
            self.pos += 1;
            let right = self.unary()?;
            check_alternatives(alts.len().saturating_mul(right.len()))?;
            let mut product = Vec::new();
            for l in &alts {
                for r in &right {
                    product.push(conjoin(l, r));
                }
            }
            alts = product;
        }
        Ok(alts)
    }

    fn unary(&mut self) -> Result<Vec<Alternative>, String> {
        if self.depth >= MAX_DEPTH {
            return Err(format!(
                "`(` and `!` nest more than {MAX_DEPTH} levels deep"
            ));
        }
        self.depth += 1;
        let alts = self.unary_at_depth();
        self.depth -= 1;
        alts
    }

    fn unary_at_depth(&mut self) -> Result<Vec<Alternative>, String> {
        match self.next() {
            Some(Token::Not) => {
                let start = self.pos;
                let _ = self.unary()?;
                let text = describe(self.tokens.get(start..self.pos).unwrap_or(&[]));
                Ok(vec![Alternative {
                    unsupported: vec![format!("!{text}")],
                    ..Alternative::default()
                }])
            }
            Some(Token::LParen) => {
                let alts = self.or()?;
                match self.next() {
                    Some(Token::RParen) => Ok(alts),
                    _ => Err("missing `)`".to_string()),
                }
            }
            Some(Token::Ident(name)) => self.matcher(name),
            _ => Err("expected a matcher such as Host(`example.com`)".to_string()),
        }
    }

    fn matcher(&mut self, name: String) -> Result<Vec<Alternative>, String> {
        if self.next() != Some(Token::LParen) {
            return Err(format!("expected `(` after {name}"));
        }
        let mut args = Vec::new();
        loop {
            match self.next() {
                Some(Token::RParen) if args.is_empty() => break,
                Some(Token::Str(s)) => {
                    args.push(s);
                    match self.next() {
                        Some(Token::Comma) => continue,
                        Some(Token::RParen) => break,
                        _ => return Err(format!("expected `,` or `)` in {name}(…)")),
                    }
                }
                _ => return Err(format!("expected a quoted value in {name}(…)")),
            }
        }
        let mut alt = Alternative::default();
        match name.as_str() {
            "Host" => {
                if args.is_empty() {
                    return Err("Host() needs a host name".to_string());
                }
                alt.hosts = args.iter().map(|h| h.to_ascii_lowercase()).collect();
            }
            "PathPrefix" | "Path" => {
                let kind = if name == "Path" {
                    PathMatch::Exact
                } else {
                    PathMatch::Prefix
                };
                match args.as_slice() {
                    [p] => alt.path = Some((p.clone(), kind)),
                    // Traefik v2 allowed several paths; a route holds one.
                    _ => alt
                        .unsupported
                        .push(format!("{name}({}) with several paths", args.join(", "))),
                }
            }
            _ => alt.unsupported.push(format!("{name}({})", args.join(", "))),
        }
        Ok(vec![alt])
    }
}

fn check_alternatives(n: usize) -> Result<(), String> {
    if n > MAX_ALTERNATIVES {
        return Err(format!(
            "the rule expands to more than {MAX_ALTERNATIVES} host and path alternatives"
        ));
    }
    Ok(())
}

fn describe(tokens: &[Token]) -> String {
    tokens
        .iter()
        .map(|t| match t {
            Token::Ident(s) => s.clone(),
            Token::Str(s) => format!("`{s}`"),
            Token::LParen => "(".into(),
            Token::RParen => ")".into(),
            Token::Comma => ", ".into(),
            Token::And => " && ".into(),
            Token::Or => " || ".into(),
            Token::Not => "!".into(),
        })
        .collect()
}

fn conjoin(l: &Alternative, r: &Alternative) -> Alternative {
    let mut out = l.clone();
    if out.hosts.is_empty() {
        out.hosts = r.hosts.clone();
    } else if !r.hosts.is_empty() {
        // Both sides restrict the host: only hosts on both sides match.
        out.hosts.retain(|h| r.hosts.contains(h));
        if out.hosts.is_empty() {
            out.unsupported
                .push("Host conditions that no host satisfies".to_string());
        }
    }
    match (&out.path, &r.path) {
        (None, Some(p)) => out.path = Some(p.clone()),
        (Some(a), Some(b)) if a != b => out
            .unsupported
            .push(format!("two path conditions ({} and {})", a.0, b.0)),
        _ => {}
    }
    out.unsupported.extend(r.unsupported.iter().cloned());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alt(hosts: &[&str], path: Option<&str>) -> Alternative {
        Alternative {
            hosts: hosts.iter().map(|s| s.to_string()).collect(),
            path: path.map(|p| (p.to_string(), PathMatch::Prefix)),
            unsupported: vec![],
        }
    }

    #[test]
    fn coolify_rule() {
        assert_eq!(
            parse("Host(`app.example.com`) && PathPrefix(`/`)").unwrap(),
            vec![alt(&["app.example.com"], Some("/"))]
        );
    }

    #[test]
    fn several_hosts_v2_and_v3_forms() {
        assert_eq!(
            parse("Host(`a.io`, `b.io`)").unwrap(),
            vec![alt(&["a.io", "b.io"], None)]
        );
        assert_eq!(
            parse("Host(`a.io`) || Host(`b.io`)").unwrap(),
            vec![alt(&["a.io"], None), alt(&["b.io"], None)]
        );
    }

    #[test]
    fn distributes_and_over_or() {
        assert_eq!(
            parse("(Host(`a.io`) || Host(`b.io`)) && PathPrefix(`/x`)").unwrap(),
            vec![alt(&["a.io"], Some("/x")), alt(&["b.io"], Some("/x"))]
        );
    }

    #[test]
    fn exact_path_and_unsupported_matchers() {
        let a = parse("Host(`a.io`) && Path(`/health`) && Method(`GET`)").unwrap();
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].path, Some(("/health".into(), PathMatch::Exact)));
        assert_eq!(a[0].unsupported, vec!["Method(GET)"]);
        let n = parse("Host(`a.io`) && !PathPrefix(`/admin`)").unwrap();
        assert_eq!(n[0].unsupported, vec!["!PathPrefix(`/admin`)"]);
    }

    /// Fuzz (proxy_labels): thousands of `(` overflowed the stack, which killed the process.
    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        for open in ["(", "!"] {
            let deep = format!("{}Host(`a.io`)", open.repeat(100_000));
            let e = parse(&deep).unwrap_err();
            assert!(e.contains("nest more than 32"), "{e}");
        }
        let ok = format!("{}Host(`a.io`){}", "(".repeat(31), ")".repeat(31));
        assert_eq!(parse(&ok).unwrap(), vec![alt(&["a.io"], None)]);
    }

    /// `&&` over `||` doubles the alternatives with every term: 40 terms would be 2^40.
    #[test]
    fn alternatives_are_bounded() {
        let term = "(Host(`a.io`) || Host(`b.io`))";
        let six = [term; 6].join(" && ");
        assert_eq!(parse(&six).unwrap().len(), 64);
        let forty = [term; 40].join(" && ");
        let e = parse(&forty).unwrap_err();
        assert!(e.contains("more than 64"), "{e}");
        let many_or = ["Host(`a.io`)"; 65].join(" || ");
        assert!(parse(&many_or).is_err());
    }

    #[test]
    fn errors_do_not_panic() {
        for bad in [
            "Host(`a`",
            "Host(`a`) &&",
            "Host(`a`) & Host(`b`)",
            "(Host(`a`)",
            "Host(a)",
            "Host()",
            "`",
            "Host(`a`) Host(`b`)",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
