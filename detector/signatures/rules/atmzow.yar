/*
  ATMZOW (Malwarebytes / Sansec, 2021-2023, "WOZMTA" reversed): obfuscator-style string
  tables of hex-named variables, values staged in localStorage between page views, and a
  single encoded send. Generic shape: _0x string table + storage staging + card words.
*/
rule skimmer_atmzow_staged : magecart atmzow
{
  meta:
    author = "skimwatch"
    description = "ATMZOW-style staged skimmer: _0x string table, storage staging, card fields"
    reference = "Malwarebytes Labs 'ATMZOW' 2021; Sansec 2023"
    severity = "high"
    score = 50
  strings:
    $table = /var\s+_0x[0-9a-f]{1,6}\s*=\s*\[/
    $hex_storage = "\\x6c\\x6f\\x63\\x61\\x6c\\x53\\x74\\x6f\\x72\\x61\\x67\\x65"
    $storage = /(localStorage|sessionStorage)/
    $get = ".getItem("
    $set = ".setItem("
    $card = /["'](cc|card)[-_]?(num|number|exp|cvv|cvc)/ nocase
    $b64 = /btoa\s*\(\s*JSON\.stringify/
  condition:
    filesize < 2MB and $table and ($hex_storage or $storage) and $get and $set and $card and $b64
}
