/*
  Grelos (RiskIQ, 2020): a WebSocket skimmer whose loader and socket URL are base64, that
  base64-encodes joined field values into each frame. Generic shape: a socket is opened,
  values are read, and frames are base64/JSON before send.
*/
rule skimmer_grelos_websocket : magecart grelos
{
  meta:
    author = "skimwatch"
    description = "Grelos-style WebSocket skimmer: encoded frames of form values"
    reference = "RiskIQ 'Grelos' 2020; Sansec WebSocket skimmers 2021"
    severity = "high"
    score = 60
  strings:
    $ws = /new\s+(window\.)?WebSocket\s*\(/
    $wss_b64 = "d3NzOi8v"
    $send = /\.send\s*\(\s*(window\.)?(btoa|JSON\.stringify)\s*\(/
    $value = ".value"
    $card1 = /["'#\[][^"'\n]{0,30}(card|cc)[-_]?(num|number|cvv|cvc|exp)/ nocase
    $card2 = /\b(cvv|cvc|cardnumber)\b/ nocase
  condition:
    filesize < 2MB and ($ws or $wss_b64) and $send and $value and any of ($card*)
}
