import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsArray,
  IsEmail,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { ROLES, type Role } from '../database/directory.repository';

const PASSWORD_MIN = 10;
const PASSWORD_MAX = 200;

export class CreateAccountRequest {
  @ApiProperty({
    example: 'nina',
    description: 'The agent id: lower-case letters, digits, ".", "_" and "-", up to 64',
  })
  @Matches(/^[a-z0-9][a-z0-9._-]{0,63}$/, {
    message: 'agentId must be lower-case letters, digits, ".", "_" or "-", up to 64',
  })
  agentId!: string;

  @ApiProperty({ example: 'nina@firstline.example' })
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'Nina New' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;

  @ApiProperty({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX })
  @IsString()
  @MinLength(PASSWORD_MIN)
  @MaxLength(PASSWORD_MAX)
  password!: string;

  @ApiPropertyOptional({
    type: [String],
    description:
      'Teams the agent works in; skills and capacity are set on the directory entry ' +
      '(PUT /api/v1/directory/agent/{agentId})',
  })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  teamIds?: string[];
}

export class ChangeRoleRequest {
  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;
}

export class ResetPasswordRequest {
  @ApiProperty({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX })
  @IsString()
  @MinLength(PASSWORD_MIN)
  @MaxLength(PASSWORD_MAX)
  password!: string;
}
