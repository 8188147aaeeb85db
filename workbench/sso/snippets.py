"""The current payload as ready-to-paste signing code, one function per language.

Every snippet reads the key from the SSO_PRIVATE_KEY environment variable (never inlined), sets
iat to the moment it runs and exp to iat + ttl (an iat or exp in the workbench's payload is a
test value, not something to ship), signs with HS256 and prints the SSO URL. The rest of the
payload is embedded as JSON text, so what is signed is exactly what was shown.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from workbench.sso.redirects import SSO_PATH, community_base_url

KEY_VARIABLE = "SSO_PRIVATE_KEY"


def _json(payload: Mapping[str, Any], indent: int | None = 2) -> str:
    return json.dumps(dict(payload), indent=indent, ensure_ascii=False)


def _quoted(text: str, quote: str = "'") -> str:
    """`text` inside single quotes, for languages where only \\ and ' need escaping."""
    return quote + text.replace("\\", "\\\\").replace(quote, "\\" + quote) + quote


def node(payload: Mapping[str, Any], ttl: int, base: str) -> str:
    return f"""// npm install jsonwebtoken
const jwt = require("jsonwebtoken");

const privateKey = process.env.{KEY_VARIABLE}; // the community's Single Sign-On private key
const now = Math.floor(Date.now() / 1000);
const userData = {_json(payload)};
const claims = {{ iat: now, exp: now + {ttl}, ...userData }};

const token = jwt.sign(claims, privateKey, {{ algorithm: "HS256" }});
console.log(`{base}{SSO_PATH}?jwt=${{token}}`);
"""


def python(payload: Mapping[str, Any], ttl: int, base: str) -> str:
    return f'''# pip install PyJWT
import json
import os
import time

import jwt

private_key = os.environ["{KEY_VARIABLE}"]  # the community's Single Sign-On private key
now = int(time.time())
user_data = json.loads({_quoted(_json(payload, None))})
claims = {{"iat": now, "exp": now + {ttl}, **user_data}}

token = jwt.encode(claims, private_key, algorithm="HS256")
print(f"{base}{SSO_PATH}?jwt={{token}}")
'''


def php(payload: Mapping[str, Any], ttl: int, base: str) -> str:
    return f"""<?php
// composer require firebase/php-jwt
require 'vendor/autoload.php';
use Firebase\\JWT\\JWT;

$privateKey = getenv('{KEY_VARIABLE}'); // the community's Single Sign-On private key
$now = time();
$userData = json_decode({_quoted(_json(payload, None))}, true);
$claims = array_merge(['iat' => $now, 'exp' => $now + {ttl}], $userData);

$token = JWT::encode($claims, $privateKey, 'HS256');
echo "{base}{SSO_PATH}?jwt=" . $token . PHP_EOL;
"""


def ruby(payload: Mapping[str, Any], ttl: int, base: str) -> str:
    return f"""# gem install jwt
require "json"
require "jwt"

private_key = ENV.fetch("{KEY_VARIABLE}") # the community's Single Sign-On private key
now = Time.now.to_i
user_data = JSON.parse({_quoted(_json(payload, None))})
claims = {{ "iat" => now, "exp" => now + {ttl} }}.merge(user_data)

token = JWT.encode(claims, private_key, "HS256")
puts "{base}{SSO_PATH}?jwt=#{{token}}"
"""


def go(payload: Mapping[str, Any], ttl: int, base: str) -> str:
    raw = _json(payload, None).replace("`", '` + "`" + `')
    return f"""// go get github.com/golang-jwt/jwt/v5
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func main() {{
	privateKey := []byte(os.Getenv("{KEY_VARIABLE}")) // the community's Single Sign-On private key
	now := time.Now().Unix()
	claims := jwt.MapClaims{{"iat": now, "exp": now + {ttl}}}
	var userData map[string]interface{{}}
	if err := json.Unmarshal([]byte(`{raw}`), &userData); err != nil {{
		panic(err)
	}}
	for key, value := range userData {{
		claims[key] = value
	}}
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(privateKey)
	if err != nil {{
		panic(err)
	}}
	fmt.Printf("{base}{SSO_PATH}?jwt=%s\\n", token)
}}
"""


def java(payload: Mapping[str, Any], ttl: int, base: str) -> str:
    literal = json.dumps(_json(payload, None), ensure_ascii=False)
    return f"""// io.jsonwebtoken:jjwt-api, jjwt-impl and jjwt-jackson 0.12+
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import java.nio.charset.StandardCharsets;
import java.util.Map;

public class SsoLink {{
    public static void main(String[] args) throws Exception {{
        String privateKey = System.getenv("{KEY_VARIABLE}"); // the Single Sign-On private key
        long now = System.currentTimeMillis() / 1000;
        Map<String, Object> userData = new ObjectMapper().readValue({literal}, Map.class);
        String token = Jwts.builder()
            .claim("iat", now)
            .claim("exp", now + {ttl})
            .claims(userData)
            .signWith(Keys.hmacShaKeyFor(privateKey.getBytes(StandardCharsets.UTF_8)),
                      Jwts.SIG.HS256)
            .compact();
        System.out.println("{base}{SSO_PATH}?jwt=" + token);
    }}
}}
"""


def csharp(payload: Mapping[str, Any], ttl: int, base: str) -> str:
    literal = json.dumps(_json(payload, None), ensure_ascii=False)
    return f"""// dotnet add package System.IdentityModel.Tokens.Jwt
using System;
using System.IdentityModel.Tokens.Jwt;
using System.Text;
using Microsoft.IdentityModel.Tokens;

var privateKey = Environment.GetEnvironmentVariable("{KEY_VARIABLE}"); // the SSO private key
var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
var payload = JwtPayload.Deserialize({literal});
payload["iat"] = now;
payload["exp"] = now + {ttl};
var credentials = new SigningCredentials(
    new SymmetricSecurityKey(Encoding.UTF8.GetBytes(privateKey)), SecurityAlgorithms.HmacSha256);
var token = new JwtSecurityTokenHandler().WriteToken(
    new JwtSecurityToken(new JwtHeader(credentials), payload));
Console.WriteLine("{base}{SSO_PATH}?jwt=" + token);
"""


LANGUAGES: dict[str, tuple[str, Callable[[Mapping[str, Any], int, str], str]]] = {
    "node": ("Node (jsonwebtoken)", node),
    "python": ("Python (PyJWT)", python),
    "php": ("PHP (firebase/php-jwt)", php),
    "ruby": ("Ruby (ruby-jwt)", ruby),
    "go": ("Go (golang-jwt)", go),
    "java": ("Java (jjwt)", java),
    "csharp": ("C# (System.IdentityModel.Tokens.Jwt)", csharp),
}


def snippet(
    language: str, payload: Mapping[str, Any], ttl: int = 60, community: str = "localhost"
) -> str:
    """Signing code for `payload` in `language` (a key of LANGUAGES)."""
    if language not in LANGUAGES:
        raise ValueError(f"no snippet for {language!r}; choose one of {', '.join(LANGUAGES)}")
    base = community_base_url("http://127.0.0.1:8765" if community == "localhost" else community)
    claims = {k: v for k, v in payload.items() if k not in ("iat", "exp")}
    return LANGUAGES[language][1](claims, ttl, base)
