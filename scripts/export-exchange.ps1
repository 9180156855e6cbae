<#
.SYNOPSIS
  Exports Exchange receive connectors, their relay permissions and the accepted domains for
  Relay Lint (SPEC section 7.2, the project's own export shape).

.DESCRIPTION
  Run in the Exchange Management Shell (Windows PowerShell 5.1) of Exchange 2013, 2016, 2019 or
  Subscription Edition, as a user who may run Get-ReceiveConnector and Get-ADPermission. Writes one
  file per server, <server>.exchange.json, into -OutputDirectory. Then run, on any machine:

      npx relay-lint <folder with the .exchange.json files>

  The script only reads: it calls Get-ReceiveConnector, Get-ADPermission and Get-AcceptedDomain,
  and changes nothing on the server.

  Every enum is written as its name ("AnonymousUsers, ExchangeServers") and every remote IP range
  as its Expression ("10.1.2.0/24"), so the file does not depend on how ConvertTo-Json of this
  PowerShell version serialises enums or nested objects.

.PARAMETER Server
  Servers to export. Default: this computer.

.PARAMETER OutputDirectory
  Folder for the files. Default: the current folder.

.EXAMPLE
  .\export-exchange.ps1 -Server EX01,EX02 -OutputDirectory C:\relay-lint
#>
[CmdletBinding()]
param(
    [string[]] $Server = @($env:COMPUTERNAME),
    [string] $OutputDirectory = (Get-Location).Path
)

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'

# Extended rights that decide relaying: Accept-Any-Recipient is the relay right; Submit decides
# whether a principal may send at all (AnonymousUsers grants it to ANONYMOUS LOGON).
$RelayRights = @('ms-Exch-SMTP-Accept-Any-Recipient', 'ms-Exch-SMTP-Submit')

function ConvertTo-Sid([string] $Account) {
    # The SID identifies ANONYMOUS LOGON (S-1-5-7) whatever the language of Windows. An account
    # AD could not resolve is already printed as its SID.
    if ($Account -match '^S-1-\d') { return $Account }
    try {
        $nt = New-Object System.Security.Principal.NTAccount($Account)
        return $nt.Translate([System.Security.Principal.SecurityIdentifier]).Value
    } catch {
        return $null
    }
}

function Get-RelayPermission($Connector) {
    # The distinguished name is an identity Get-ADPermission always accepts, also through the
    # remote session the Exchange Management Shell uses.
    $aces = @(Get-ADPermission -Identity "$($Connector.DistinguishedName)")
    foreach ($ace in $aces) {
        $rights = @($ace.ExtendedRights | Where-Object { $_ } | ForEach-Object { "$_" })
        $accessRights = @($ace.AccessRights | ForEach-Object { "$_" })
        # An ACE with ExtendedRight or GenericAll and no named right grants every extended right.
        $allRights = ($rights.Count -eq 0) -and (($accessRights -join ',') -match 'ExtendedRight|GenericAll')
        $relevant = $allRights -or @($rights | Where-Object { $RelayRights -contains $_ }).Count -gt 0
        if (-not $relevant) { continue }
        $user = "$($ace.User)"
        [pscustomobject][ordered]@{
            User           = $user
            UserSid        = (ConvertTo-Sid $user)
            ExtendedRights = $rights
            AccessRights   = $accessRights
            Deny           = [bool]$ace.Deny
            IsInherited    = [bool]$ace.IsInherited
        }
    }
}

function Get-RangeExpression($Range) {
    # Expression is the range as the administrator wrote it; ToString is the fallback.
    if ($null -ne $Range.PSObject.Properties['Expression'] -and $Range.Expression) {
        return "$($Range.Expression)"
    }
    return "$Range"
}

$acceptedDomains = @(Get-AcceptedDomain | ForEach-Object {
    [pscustomobject][ordered]@{
        Name       = "$($_.Name)"
        DomainName = "$($_.DomainName)"
        DomainType = "$($_.DomainType)"
        Default    = [bool]$_.Default
    }
})

foreach ($s in $Server) {
    $connectors = @(Get-ReceiveConnector -Server $s | ForEach-Object {
        $rc = $_
        [pscustomobject][ordered]@{
            Identity         = "$($rc.Identity)"
            Name             = "$($rc.Name)"
            Server           = "$($rc.Server)"
            Enabled          = [bool]$rc.Enabled
            TransportRole    = "$($rc.TransportRole)"
            Fqdn             = "$($rc.Fqdn)"
            Bindings         = @($rc.Bindings | ForEach-Object { "$_" })
            RemoteIPRanges   = @($rc.RemoteIPRanges | ForEach-Object { Get-RangeExpression $_ })
            PermissionGroups = "$($rc.PermissionGroups)"
            AuthMechanism    = "$($rc.AuthMechanism)"
            RequireTLS       = [bool]$rc.RequireTLS
            permissions      = @(Get-RelayPermission $rc)
        }
    })

    $export = [pscustomobject][ordered]@{
        relayLintExport   = 1
        product           = 'exchange'
        exportedAt        = (Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ')
        server            = $s
        receiveConnectors = $connectors
        acceptedDomains   = $acceptedDomains
    }

    $path = Join-Path $OutputDirectory "$s.exchange.json"
    $json = $export | ConvertTo-Json -Depth 6
    # UTF-8 without a byte order mark (Out-File -Encoding utf8 in 5.1 writes one).
    [System.IO.File]::WriteAllText($path, $json, (New-Object System.Text.UTF8Encoding($false)))
    Write-Host "Wrote $path ($($connectors.Count) receive connectors)"
}
