/*
  "JScrambler-style" XOR-table kits (Sansec, Jscrambler research on Magecart loaders): the
  payload is an array of numbers or a string XOR-ed against a repeating key, decoded with
  charCodeAt(i) ^ key[i % key.length] and String.fromCharCode, then run as code.
*/
rule skimmer_xor_table_loader : magecart loader
{
  meta:
    author = "skimwatch"
    description = "XOR-table decoder whose output is run with eval / Function / script text"
    reference = "Sansec 'XOR-encoded skimmers'; Jscrambler Magecart research 2021"
    severity = "critical"
    score = 75
  strings:
    $xor1 = /charCodeAt\s*\([^)]{0,40}\)\s*\^\s*[\w$.\[\]()]{1,60}\s*%\s*[\w$.]{1,40}\.length/
    $xor2 = /\^\s*[\w$]{1,40}\.charCodeAt\s*\(\s*[\w$]{1,10}\s*%\s*[\w$]{1,40}\.length/
    $xor3 = /\[[\w$]{1,10}\]\s*\^\s*[\w$]{1,40}\[\s*[\w$]{1,10}\s*%\s*[\w$]{1,40}\.length\s*\]/
    $fcc = "fromCharCode"
    $run1 = /\beval\s*\(/
    $run2 = /new\s+Function\s*\(/
    $run3 = /\.(text|textContent|innerHTML)\s*=/
    $run4 = /\bFunction\s*\(\s*[\w$]{1,40}\s*\)\s*\(/
  condition:
    filesize < 2MB and any of ($xor*) and $fcc and any of ($run*)
}
