/*
  Loaders hiding code in images (Sansec "favicon skimmer" 2020, Malwarebytes EXIF skimmer
  2020, Sucuri PNG stego): pixel or image bytes turned into characters and run as code.
  The decode must sit close to the pixel/byte read, and the result must reach eval/Function.
*/
rule skimmer_image_stego_loader : magecart loader
{
  meta:
    author = "skimwatch"
    description = "Pixel data (getImageData) or fetched image bytes decoded to text and executed"
    reference = "Sansec 2020 'favicon skimmer'; Malwarebytes 2020 EXIF skimmer"
    severity = "high"
    score = 60
  strings:
    $pix = /getImageData[\s\S]{0,400}fromCharCode[\s\S]{0,400}(eval|Function)\s*\(/
    $exif = /(Exif|COMMENT|0xFFFE|0xfffe|65534|Copyright)[\s\S]{0,400}fromCharCode/
    $bytes = /(arrayBuffer\s*\(|responseType\s*=\s*["']arraybuffer)[\s\S]{0,600}fromCharCode[\s\S]{0,400}(eval|Function|\.text\s*=)/
    $run1 = /\beval\s*\(/
    $run2 = /new\s+Function\s*\(/
    $run3 = /\bFunction\s*\(\s*[\w$]{1,40}\s*\)\s*\(/
    $run4 = /createElement\s*\(\s*["']script["']\s*\)/
  condition:
    filesize < 2MB and ($pix or ($bytes and $exif)) and any of ($run*)
}
