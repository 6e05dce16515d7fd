/*
  Inter skimmer kit (sold on forums since 2016; Group-IB, Fortinet and Sansec write-ups).
  The kit is a "Gate" object whose method names survive minification because they are
  property names: SaveParam stores a field, GetCCInfo sweeps the form, SendData ships it,
  TrySend/IsValid gate on the checkout URL. Matches the structure, not one variable.
*/
rule skimmer_inter_kit : magecart inter
{
  meta:
    author = "skimwatch"
    description = "Inter kit Gate object with SaveParam / SendData style methods"
    reference = "Group-IB 'Inter: a skimmer kit', Fortinet 2020"
    severity = "critical"
    score = 80
  strings:
    $m_save = /\bSaveParam\s*[:(=]/
    $m_send = /\bSendData\s*[:(=]/
    $m_cc = /\bGetCCInfo\s*[:(=]/
    $m_try = /\bTrySend\s*[:(=]/
    $m_valid = /\bIsValid\s*[:(=]/
    $m_img = /\b(LoadImage|GetImageUrl|CreateImage)\s*[:(=]/
    $data = /\.Data\s*\[/
  condition:
    filesize < 2MB and 3 of ($m_*) and ($data or $m_save)
}
